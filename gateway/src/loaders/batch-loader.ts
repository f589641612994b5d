/**
 * Collects the keys asked for while a query's fields resolve and loads them in
 * one call: the fields of a list's items resolve side by side, so a page of 50
 * tasks asking for their repository makes one query, not 50. Keys asked for
 * again share the first answer. One loader per request: answers are not kept
 * across requests, so nothing goes stale.
 */
export class BatchLoader<K, V> {
  private readonly answers = new Map<K, Promise<V>>();
  private queued = new Map<K, { resolve: (value: V) => void; reject: (error: unknown) => void }>();
  private scheduled = false;

  /** `loadMany` answers for the keys it is given; a key it leaves out gets `missing`. */
  constructor(
    private readonly loadMany: (keys: readonly K[]) => Promise<ReadonlyMap<K, V>>,
    private readonly missing: V,
  ) {}

  load(key: K): Promise<V> {
    const known = this.answers.get(key);
    if (known) return known;
    const answer = new Promise<V>((resolve, reject) => this.queued.set(key, { resolve, reject }));
    this.answers.set(key, answer);
    if (!this.scheduled) {
      this.scheduled = true;
      // After the I/O callbacks of this turn, by which time sibling fields have asked too.
      setImmediate(() => void this.flush());
    }
    return answer;
  }

  private async flush(): Promise<void> {
    const batch = this.queued;
    this.queued = new Map();
    this.scheduled = false;
    try {
      const found = await this.loadMany([...batch.keys()]);
      for (const [key, { resolve }] of batch) resolve(found.get(key) ?? this.missing);
    } catch (error) {
      // Not kept: a later field may ask again.
      for (const [key, { reject }] of batch) {
        this.answers.delete(key);
        reject(error);
      }
    }
  }
}
