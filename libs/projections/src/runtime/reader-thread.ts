import { Worker } from 'node:worker_threads';
import type { FeedReader, FeedSink, FeedStart } from './feed-reader.js';
import type { FromReader, ReaderThreadData, ToReader } from './reader-protocol.js';

export interface ReaderThreadOptions {
  /** NATS servers the thread connects to, with a connection of its own. */
  readonly servers: readonly string[];
  /** @default "cohort-projector-reader" */
  readonly name?: string;
}

/**
 * A thread that reads and decodes feeds of the events stream (see
 * event-reader-thread.ts), so that on a machine with a core to spare the
 * projector's own thread mostly folds events and writes rows. One thread serves
 * every feed of a projector: starting one costs far more than a rebuild's
 * first batches, so it is started once and kept. If it stops (its connection
 * closed for good), its feeds fail and the next feed starts a new one.
 */
export class ReaderThread {
  private current: Running | undefined;
  private nextFeed = 1;
  private stopped = false;

  constructor(private readonly options: ReaderThreadOptions) {}

  /** Starts the thread now rather than at the first feed. */
  start(): void {
    this.running();
  }

  open(start: FeedStart, sink: FeedSink): FeedReader {
    if (this.stopped) throw new Error('the reading thread was stopped');
    const thread = this.running();
    const feed = this.nextFeed++;
    let closed: (() => void) | undefined;
    const done = new Promise<void>((resolve) => (closed = resolve));
    thread.feeds.set(feed, {
      sink,
      closed: () => {
        thread.feeds.delete(feed);
        closed!();
      },
    });
    // Held by the thread until it has connected and listens; a thread that cannot connect fails its feeds.
    thread.send({ type: 'open', feed, ...start });
    return {
      taken: (count) => {
        if (count > 0) thread.send({ type: 'taken', feed, count });
      },
      close: async () => {
        if (thread.feeds.has(feed)) thread.send({ type: 'close', feed });
        await done;
      },
    };
  }

  async stop(): Promise<void> {
    this.stopped = true;
    const thread = this.current;
    this.current = undefined;
    await thread?.end(new Error('the reading thread was stopped'));
  }

  private running(): Running {
    if (this.current === undefined || this.current.ended) this.current = new Running(this.options);
    return this.current;
  }
}

interface FeedEntry {
  readonly sink: FeedSink;
  readonly closed: () => void;
}

/** One started thread and the feeds it serves. */
class Running {
  readonly feeds = new Map<number, FeedEntry>();
  ended = false;
  private readonly worker: Worker;

  constructor(options: ReaderThreadOptions) {
    const data: ReaderThreadData = { servers: options.servers, name: options.name ?? 'cohort-projector-reader' };
    this.worker = startWorker(data);
    this.worker.on('message', (message: FromReader) => {
      switch (message.type) {
        case 'events':
          this.feeds.get(message.feed)?.sink.deliverPacked(message.packed);
          break;
        case 'failed':
          this.fail(message.feed, new Error(message.message));
          break;
        case 'closed':
          this.feeds.get(message.feed)?.closed();
          break;
        case 'down':
          void this.end(new Error(message.message));
          break;
      }
    });
    this.worker.on('error', (error) => void this.end(error));
    this.worker.on('exit', () => void this.end(new Error('the reading thread ended')));
  }

  send(message: ToReader): void {
    if (!this.ended) this.worker.postMessage(message);
  }

  fail(feed: number, error: unknown): void {
    const entry = this.feeds.get(feed);
    if (entry === undefined) return;
    entry.sink.fail(error);
    entry.closed();
  }

  /** Fails every feed still open and ends the thread. */
  async end(error: Error): Promise<void> {
    if (this.ended) return;
    this.ended = true;
    for (const feed of [...this.feeds.keys()]) this.fail(feed, error);
    await this.worker.terminate();
  }
}

/**
 * Runs event-reader-thread in a worker. From TypeScript sources (services run
 * that way, and so do tests), the thread does not inherit the loader that
 * compiles them, so it registers tsx itself before importing its entry.
 */
function startWorker(data: ReaderThreadData): Worker {
  const fromSource = import.meta.url.endsWith('.ts');
  const entry = new URL(`./event-reader-thread.${fromSource ? 'ts' : 'js'}`, import.meta.url);
  if (!fromSource) return new Worker(entry, { workerData: data });
  const tsx = import.meta.resolve('tsx/esm/api');
  const code = `import(${JSON.stringify(tsx)}).then(({ register }) => { register(); return import(${JSON.stringify(entry.href)}); })`;
  return new Worker(code, { eval: true, workerData: data, execArgv: ['--conditions=cohort-source'] });
}
