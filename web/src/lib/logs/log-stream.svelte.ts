import type { GatewayClient } from '../graphql/client.js';
import { TASK_LOG_PAGE, TASK_LOGS } from '../graphql/documents.js';
import { RetryTimer } from '../graphql/retry.js';
import type { LogLine } from '../graphql/types.js';
import { LogBuffer } from './log-buffer.js';
import { readHistory, type LogPage } from './log-history.js';

type PageLine = Omit<LogLine, 'taskId' | 'runId'>;

/** What `taskLogs` sends: the lines that were ready together, in seq order. */
interface LiveChunk {
  readonly lines: readonly PageLine[];
  readonly lastSeq: number;
}

/**
 * One run's log: the stored history in pages over HTTP (`Task.logs`), then live
 * lines over `taskLogs`, in chunks. The subscription starts from the last seq
 * the pages brought and replays whatever was stored since, and every
 * resubscribe after a reconnect passes the last seq held, so there is no gap
 * and no duplicate.
 */
export class LogStream {
  readonly buffer = new LogBuffer();
  /** Lines held; updated at most once per frame, so a burst of lines renders once. */
  count = $state(0);
  /** Seqs the gateway no longer stores (skipped over); updated with `count`. */
  missing = $state(0);
  /** True while history pages are still being read. */
  loading = $state(true);
  live = $state(false);
  error = $state<string | undefined>(undefined);
  private stop: (() => void) | undefined;
  private frame: number | undefined;
  private disposed = false;
  private readonly retries = new RetryTimer();

  constructor(
    private readonly client: GatewayClient,
    readonly taskId: string,
    readonly runId: string,
  ) {}

  start(): this {
    void this.load();
    return this;
  }

  private async load(): Promise<void> {
    try {
      await readHistory({
        fetchPage: (fromSeq, limit) => this.fetchPage(fromSeq, limit),
        buffer: this.buffer,
        onPage: () => this.schedule(),
        stopped: () => this.disposed,
      });
    } catch {
      // Pages only make loading fast: the subscription replays whatever they did not bring.
    }
    if (this.disposed) return;
    this.loading = false;
    this.subscribe();
  }

  private async fetchPage(fromSeq: number, limit: number): Promise<LogPage> {
    const data = await this.client.request<{ task: { logs: Omit<LogPage, 'lines'> & { lines: PageLine[] } } | null }>(TASK_LOG_PAGE, {
      id: this.taskId,
      runId: this.runId,
      fromSeq,
      limit,
    });
    if (!data.task) throw new Error(`task ${this.taskId} is not in the read side yet`);
    const { taskId, runId } = this;
    const page = data.task.logs;
    return { ...page, lines: page.lines.map((line) => ({ ...line, taskId, runId })) };
  }

  private subscribe(): void {
    this.stop?.();
    this.live = true;
    this.stop = this.client.subscribe<{ taskLogs: LiveChunk }>(
      TASK_LOGS,
      () => ({ taskId: this.taskId, runId: this.runId, fromSeq: this.buffer.lastSeq }),
      {
        next: ({ taskLogs }) => {
          if (this.error !== undefined) this.error = undefined;
          this.retries.reset();
          // A whole chunk is appended before the view hears of it: one update however many lines it holds.
          if (this.buffer.addAll(taskLogs.lines.map((line) => ({ ...line, taskId: this.taskId, runId: this.runId }))) > 0) this.schedule();
        },
        error: (error) => {
          this.error = error.message;
          this.live = false;
          this.flush();
          // The gateway ends a tail it cannot read (UNAVAILABLE) and asks to subscribe again from the last seq.
          this.retries.schedule(() => !this.disposed && this.subscribe(), error);
        },
        complete: () => {
          this.live = false;
          this.flush();
        },
      },
    );
  }

  private schedule(): void {
    if (this.frame !== undefined) return;
    const raf = typeof requestAnimationFrame === 'function' ? requestAnimationFrame : (fn: () => void) => setTimeout(fn, 16);
    this.frame = raf(() => this.flush()) as unknown as number;
  }

  private flush(): void {
    this.frame = undefined;
    this.count = this.buffer.length;
    this.missing = this.buffer.missingCount;
  }

  dispose(): void {
    this.disposed = true;
    this.retries.stop();
    this.stop?.();
    this.stop = undefined;
    this.live = false;
  }
}
