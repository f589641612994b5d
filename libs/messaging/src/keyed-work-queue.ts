/**
 * Runs at most `concurrency` tasks at once, and tasks with the same key one
 * after another in the order they were pushed.
 */
export class KeyedWorkQueue {
  private readonly tails = new Map<string, Promise<void>>();
  private readonly slotWaiters: Array<() => void> = [];
  private readonly idleWaiters: Array<() => void> = [];
  private pending = 0;

  constructor(readonly concurrencyLimit: number) {
    if (!Number.isInteger(concurrencyLimit) || concurrencyLimit < 1)
      throw new Error(`concurrency must be a positive integer, got ${concurrencyLimit}`);
  }

  /** Tasks pushed and not yet finished (queued behind their key or running). */
  get size(): number {
    return this.pending;
  }

  /** Resolves once fewer than `concurrency` tasks are pending, so the caller can pull more work. */
  async whenFree(): Promise<void> {
    while (this.pending >= this.concurrencyLimit) await new Promise<void>((resolve) => this.slotWaiters.push(resolve));
  }

  /** Resolves once every pushed task has finished. */
  async whenIdle(): Promise<void> {
    while (this.pending > 0) await new Promise<void>((resolve) => this.idleWaiters.push(resolve));
  }

  push(key: string, task: () => Promise<void>): void {
    this.pending++;
    const previous = this.tails.get(key) ?? Promise.resolve();
    const tail = previous.then(async () => {
      try {
        await task();
      } catch {
        // Tasks handle their own failures; one never blocks the next of its key.
      } finally {
        this.pending--;
        if (this.tails.get(key) === tail) this.tails.delete(key);
        this.slotWaiters.splice(0).forEach((wake) => wake());
        if (this.pending === 0) this.idleWaiters.splice(0).forEach((wake) => wake());
      }
    });
    this.tails.set(key, tail);
  }
}
