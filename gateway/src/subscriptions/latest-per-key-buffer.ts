/**
 * A slow reader's backlog that cannot grow without bound: one entry per key
 * (a newer value replaces the waiting one in place, so a busy task does not
 * push others back), at most `capacity` keys (past it the oldest waiting key
 * is dropped and counted).
 */
export class LatestPerKeyBuffer<K, V> {
  private readonly waiting = new Map<K, V>();
  private droppedCount = 0;

  constructor(private readonly capacity: number) {
    if (!Number.isSafeInteger(capacity) || capacity < 1)
      throw new RangeError(`capacity must be a positive integer, got ${String(capacity)}`);
  }

  /** Returns true when an older key had to be dropped to make room. */
  put(key: K, value: V): boolean {
    if (this.waiting.has(key)) {
      this.waiting.set(key, value);
      return false;
    }
    this.waiting.set(key, value);
    if (this.waiting.size <= this.capacity) return false;
    const oldest = this.waiting.keys().next().value as K;
    this.waiting.delete(oldest);
    this.droppedCount++;
    return true;
  }

  /** The oldest waiting value, removed; undefined when none waits. */
  take(): V | undefined {
    const first = this.waiting.entries().next();
    if (first.done) return undefined;
    this.waiting.delete(first.value[0]);
    return first.value[1];
  }

  get size(): number {
    return this.waiting.size;
  }

  /** Keys dropped for room since the buffer was made. */
  get dropped(): number {
    return this.droppedCount;
  }
}
