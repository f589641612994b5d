import type { GatewayClient } from '../graphql/client.js';
import { TASK_LOGS } from '../graphql/documents.js';
import type { LogLine } from '../graphql/types.js';
import { LogBuffer } from './log-buffer.js';

/**
 * One run's log: stored history then live lines over `taskLogs`. Every (re)subscribe
 * passes the last seq held, so a reconnect resumes with no gap and no duplicate.
 */
export class LogStream {
  readonly buffer = new LogBuffer();
  /** Lines held; updated at most once per frame so a burst of history renders once. */
  count = $state(0);
  live = $state(false);
  error = $state<string | undefined>(undefined);
  private stop: (() => void) | undefined;
  private frame: number | undefined;

  constructor(
    private readonly client: GatewayClient,
    readonly taskId: string,
    readonly runId: string,
  ) {}

  start(): this {
    this.subscribe();
    return this;
  }

  private subscribe(): void {
    this.stop?.();
    this.live = true;
    this.stop = this.client.subscribe<{ taskLogs: LogLine }>(
      TASK_LOGS,
      () => ({ taskId: this.taskId, runId: this.runId, fromSeq: this.buffer.lastSeq }),
      {
        next: ({ taskLogs }) => {
          this.error = undefined;
          if (this.buffer.add(taskLogs) === 'gap') {
            // A hole means lines were lost in transit: ask again from the last line held.
            queueMicrotask(() => this.subscribe());
            return;
          }
          this.schedule();
        },
        error: (error) => {
          this.error = error.message;
          this.live = false;
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
  }

  dispose(): void {
    this.stop?.();
    this.stop = undefined;
    this.live = false;
  }
}
