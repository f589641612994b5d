/**
 * Runs work per key at most once at a time. A call that arrives while the
 * key's work runs does not start a second one alongside: it waits for one more
 * run after the current one, shared by every call that arrived meanwhile, so
 * it still sees the world as it was when it was made. A burst of calls then
 * costs two runs, not one each.
 */
export class CoalescedRuns<T> {
  readonly #running = new Map<string, Promise<T>>();
  readonly #next = new Map<string, Promise<T>>();

  run(key: string, work: () => Promise<T>): Promise<T> {
    const next = this.#next.get(key);
    if (next) return next;
    const running = this.#running.get(key);
    if (!running) return this.#start(key, work);
    const after = running
      .catch(() => undefined)
      .then(() => {
        this.#next.delete(key);
        return this.#start(key, work);
      });
    this.#next.set(key, after);
    return after;
  }

  #start(key: string, work: () => Promise<T>): Promise<T> {
    const run = Promise.resolve().then(work);
    this.#running.set(key, run);
    const forget = () => {
      if (this.#running.get(key) === run) this.#running.delete(key);
    };
    run.then(forget, forget);
    return run;
  }
}
