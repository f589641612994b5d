/** How big one chunk may get. An item heavier than `maxWeight` on its own still goes, alone. */
export interface ChunkLimits {
  /** Items in one chunk. */
  readonly maxItems: number;
  /** Summed weight of a chunk's items (for log lines: characters of text). */
  readonly maxWeight: number;
}

/**
 * Items waiting for a reader that takes them in chunks: each take() hands over
 * every waiting item, in arrival order, up to the chunk limits, so a reader
 * that keeps up gets one item at a time and one that falls behind gets what
 * piled up in few chunks. Knows when it holds `backlogChunks` chunks' worth, so
 * whoever fills it can stop reading ahead of a slow reader.
 */
export class ChunkQueue<T> {
  private items: T[] = [];
  private head = 0;
  private waitingWeight = 0;

  constructor(
    private readonly limits: ChunkLimits,
    private readonly weigh: (item: T) => number,
    private readonly backlogChunks = 2,
  ) {
    for (const [name, value] of Object.entries({ ...limits, backlogChunks }))
      if (!Number.isSafeInteger(value) || value < 1) throw new RangeError(`${name} must be a positive integer, got ${String(value)}`);
  }

  push(item: T): void {
    this.items.push(item);
    this.waitingWeight += this.weigh(item);
  }

  /** The next chunk (never empty), removed; undefined when nothing waits. */
  take(): T[] | undefined {
    const { items, head } = this;
    if (head === items.length) return undefined;
    const last = Math.min(items.length, head + this.limits.maxItems);
    let end = head;
    let weight = 0;
    while (end < last) {
      const next = this.weigh(items[end]!);
      if (end > head && weight + next > this.limits.maxWeight) break;
      weight += next;
      end++;
    }
    const chunk = end === items.length && head === 0 ? items : items.slice(head, end);
    this.waitingWeight -= weight;
    if (end === items.length) {
      this.items = [];
      this.head = 0;
    } else {
      this.head = end;
      // Taken items stay in the array until they are the larger part of it: one copy per many takes.
      if (end > 1024 && end * 2 > items.length) {
        this.items = items.slice(end);
        this.head = 0;
      }
    }
    return chunk;
  }

  /** The first waiting item, left in place. */
  peek(): T | undefined {
    return this.head < this.items.length ? this.items[this.head] : undefined;
  }

  /** The first waiting item, removed. */
  shift(): T | undefined {
    if (this.head === this.items.length) return undefined;
    const item = this.items[this.head++]!;
    this.waitingWeight -= this.weigh(item);
    if (this.head === this.items.length) {
      this.items = [];
      this.head = 0;
    } else if (this.head > 1024 && this.head * 2 > this.items.length) {
      this.items = this.items.slice(this.head);
      this.head = 0;
    }
    return item;
  }

  /** Items waiting. */
  get size(): number {
    return this.items.length - this.head;
  }

  /** Summed weight of the waiting items. */
  get weight(): number {
    return this.waitingWeight;
  }

  /** True while `backlogChunks` full chunks' worth of items (by count or by weight) wait. */
  get full(): boolean {
    return this.size >= this.limits.maxItems * this.backlogChunks || this.waitingWeight >= this.limits.maxWeight * this.backlogChunks;
  }
}
