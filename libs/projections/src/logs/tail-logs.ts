import type { Consumer, ConsumerMessages } from '@nats-io/jetstream';
import type { Msg, Subscription } from '@nats-io/transport-node';
import type { LogLine } from '@cohort/contracts';
import { decodeLogMessage } from './decode-log-message.js';
import type { LogGap } from './log-sequencer.js';
import { DEFAULT_LOG_TAIL_LIMITS, LogTailState, type LogTailLimits, type TailAction } from './log-tail-state.js';
import { logsUnavailable } from './logs-unavailable.js';
import { openRunLogConsumer, type RunLogRef } from './run-log-consumer.js';

export interface TailLogsOptions extends RunLogRef {
  /** Deliver lines with a seq above this one (the last seq the caller has). @default 0 */
  readonly fromSeq?: number;
  /** Ends the tail, like close(). */
  readonly signal?: AbortSignal;
  /** Lines that will never come: removed by retention before they were read, or never stored. */
  readonly onGap?: (gap: LogGap) => void;
  /** A message on the run's subject that is not a LogLine (with its stream sequence when read from the stream); it is skipped. */
  readonly onUndecodable?: (reason: string, streamSeq?: number) => void;
  /** Stored lines the client buffers ahead of the reader. @default 256 */
  readonly batch?: number;
  /** How big a chunk gets, and how many live lines wait while stored ones are read. */
  readonly limits?: LogTailLimits;
}

/**
 * A run's log from `fromSeq` on, in chunks: each `next()` hands over every
 * line ready (up to the chunk limits), or waits for the next one. Until closed.
 */
export interface LogTail extends AsyncIterable<LogLine[]> {
  /** Stops delivery (a pending `next()` resolves done), unsubscribes and deletes any consumer. */
  close(): Promise<void>;
}

/**
 * Replays the stored lines of a run after `fromSeq`, then streams new ones as
 * they are published, in seq order with no gap and no duplicate at the
 * boundary (see {@link LogTailState} for why the switch is safe).
 *
 * Live lines come from a plain subscription on the run's subject, which costs
 * the server a delivery and nothing more; a JetStream consumer (an ordered
 * one, from the first stored line after the last seq, found by a binary
 * search over the stream) is open only while stored lines are needed: the
 * history, a hole the subscription left, or the backlog of a reader slower
 * than the run.
 */
export function tailLogs(options: TailLogsOptions): LogTail {
  return new RunLogTail(options);
}

const done: IteratorReturnResult<undefined> = { done: true, value: undefined };

/** One consumer's read of stored lines; stopped when the tail goes live or closes. */
interface StoredRead {
  stopped: boolean;
  messages?: ConsumerMessages;
}

class RunLogTail implements LogTail {
  readonly #state: LogTailState;
  readonly #what: string;
  #closed = false;
  #failure: { readonly error: unknown } | undefined;
  #subscription: Subscription | undefined;
  #statusWatch: { stop(): void } | undefined;
  #storedRead: StoredRead | undefined;
  #wakeReader: (() => void) | undefined;
  #wakeStoredRead: (() => void) | undefined;
  readonly #abort = () => void this.close();

  constructor(private readonly options: TailLogsOptions) {
    this.#state = new LogTailState(options.fromSeq ?? 0, options.limits ?? DEFAULT_LOG_TAIL_LIMITS, (gap) => options.onGap?.(gap));
    this.#what = `tailing the log of run ${options.runId} of task ${options.taskId}`;
    if (options.signal?.aborted) {
      this.#closed = true;
      return;
    }
    options.signal?.addEventListener('abort', this.#abort, { once: true });
    void this.#start();
  }

  [Symbol.asyncIterator](): AsyncIterator<LogLine[]> {
    return {
      next: () => this.#next(),
      // Must not wait for the next line: on a quiet run it would never come.
      return: async () => {
        await this.close();
        return done;
      },
    };
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.options.signal?.removeEventListener('abort', this.#abort);
    this.#release();
    this.#wake();
  }

  async #next(): Promise<IteratorResult<LogLine[]>> {
    for (;;) {
      if (this.#closed) return done;
      const chunk = this.#state.take();
      if (chunk) {
        this.#follow(this.#state.rejoin());
        if (!this.#state.backlogged) this.#makeRoom();
        return { done: false, value: chunk };
      }
      // The lines read before a failure go out first.
      if (this.#failure) {
        const { error } = this.#failure;
        await this.close();
        throw error;
      }
      await new Promise<void>((resolve) => (this.#wakeReader = resolve));
    }
  }

  async #start(): Promise<void> {
    const { nc, topology, taskId, runId } = this.options;
    try {
      this.#subscription = nc.subscribe(topology.log(taskId, runId), { callback: (error, message) => this.#onLive(error, message) });
      // Once the server has the subscription, every line published from here on reaches it.
      await nc.flush();
    } catch (error) {
      this.#fail(error);
      return;
    }
    if (this.#closed) return;
    this.#watchReconnects();
    // The history, and any line published while the subscription was being made.
    this.#readStored();
  }

  #onLive(error: Error | null, message: Msg): void {
    if (this.#closed || this.#failure) return;
    if (error) {
      this.#fail(error);
      return;
    }
    const decoded = decodeLogMessage(message.data);
    if (!decoded.ok) {
      this.options.onUndecodable?.(decoded.error.message);
      return;
    }
    this.#follow(this.#state.live(decoded.value));
    this.#wake();
  }

  /** Lines published while the connection was down reached nobody: read them from the stream. */
  #watchReconnects(): void {
    const status = this.options.nc.status();
    this.#statusWatch = status as unknown as { stop(): void };
    void (async () => {
      for await (const event of status) {
        if (this.#closed) return;
        if (event.type === 'reconnect') this.#follow(this.#state.resync());
      }
    })();
  }

  #follow(action: TailAction): void {
    if (action === 'read-stored') this.#readStored();
    else if (action === 'stop-stored') this.#stopStoredRead();
  }

  #readStored(): void {
    this.#stopStoredRead();
    const read: StoredRead = { stopped: false };
    this.#storedRead = read;
    void this.#pumpStored(read);
  }

  #stopStoredRead(): void {
    const read = this.#storedRead;
    if (!read) return;
    this.#storedRead = undefined;
    read.stopped = true;
    // Not awaited: close() settles once the consumer's iterator drains.
    void read.messages?.close();
    this.#makeRoom();
  }

  async #pumpStored(read: StoredRead): Promise<void> {
    let consumer: Consumer | undefined;
    try {
      consumer = (await openRunLogConsumer(this.options, this.#state.lastSeq)).consumer;
      if (read.stopped) return;
      const messages = await consumer.consume({ max_messages: this.options.batch ?? 256 });
      read.messages = messages;
      if (read.stopped) return;
      for await (const message of messages) {
        if (read.stopped) return;
        const decoded = decodeLogMessage(message.data);
        if (!decoded.ok) {
          this.options.onUndecodable?.(decoded.error.message, message.seq);
          continue;
        }
        const action = this.#state.stored(decoded.value);
        this.#wake();
        if (action === 'stop-stored') return this.#stopStoredRead();
        // The reader is two chunks behind: pull no more until it takes some.
        while (this.#state.backlogged && !read.stopped) await new Promise<void>((resolve) => (this.#wakeStoredRead = resolve));
      }
      if (!read.stopped) throw (await messages.closed()) ?? new Error('the server ended delivery');
    } catch (error) {
      if (!read.stopped) this.#fail(error);
    } finally {
      void read.messages?.close();
      consumer?.delete().catch(() => undefined);
    }
  }

  #fail(error: unknown): void {
    if (this.#closed || this.#failure) return;
    this.#failure = { error: logsUnavailable(this.#what, error) };
    this.#release();
    this.#wake();
  }

  #release(): void {
    this.#subscription?.unsubscribe();
    this.#subscription = undefined;
    this.#statusWatch?.stop();
    this.#statusWatch = undefined;
    this.#stopStoredRead();
  }

  #wake(): void {
    const resume = this.#wakeReader;
    this.#wakeReader = undefined;
    resume?.();
  }

  #makeRoom(): void {
    const resume = this.#wakeStoredRead;
    this.#wakeStoredRead = undefined;
    resume?.();
  }
}
