import type { KV } from '@nats-io/kv';

/** The value under a run's key in the heartbeat bucket; the scheduler reads it to find stalled runs. */
export interface Heartbeat {
  readonly taskId: string;
  readonly runId: string;
  /** RFC 3339, UTC: when this beat was written. */
  readonly at: string;
}

/** Writes `{taskId, runId, at}` under the run id every `intervalMs` until stopped; stopping deletes the key. */
export class HeartbeatWriter {
  #timer: NodeJS.Timeout | undefined;
  #stopped = false;
  #last: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly kv: KV,
    private readonly taskId: string,
    private readonly runId: string,
    private readonly intervalMs: number,
    private readonly onError: (message: string) => void = () => undefined,
  ) {}

  start(): Promise<void> {
    this.#timer = setInterval(() => void this.beat(), this.intervalMs);
    return this.beat();
  }

  private beat(): Promise<void> {
    if (this.#stopped) return Promise.resolve();
    const value: Heartbeat = { taskId: this.taskId, runId: this.runId, at: new Date().toISOString() };
    const put = this.kv.put(this.runId, JSON.stringify(value)).then(
      () => undefined,
      (error: unknown) => this.onError(`heartbeat of run ${this.runId} failed: ${(error as Error).message}`),
    );
    this.#last = put;
    return put;
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    if (this.#timer) clearInterval(this.#timer);
    // A beat in flight must land before the delete, or it would bring the key back.
    await this.#last;
    await this.kv.delete(this.runId).catch((error: unknown) => {
      this.onError(`heartbeat of run ${this.runId} was not removed: ${(error as Error).message}`);
    });
  }
}
