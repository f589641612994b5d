import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { pacedSource } from './paced-source.js';
import type { ClosableSource } from './subscription-iterator.js';

/** A source that hands over whatever arrived since the last pull (as a log tail does), or waits for the next arrival. */
class BatchingSource implements ClosableSource<number[]> {
  private arrived: number[] = [];
  private waiting: ((result: IteratorResult<number[]>) => void) | undefined;
  pulls = 0;
  closed = false;

  arrive(item: number): void {
    this.arrived.push(item);
    this.settle();
  }

  async close(): Promise<void> {
    this.closed = true;
    this.settle();
  }

  [Symbol.asyncIterator](): AsyncIterator<number[]> {
    return {
      next: () =>
        new Promise((resolve) => {
          this.pulls++;
          this.waiting = resolve;
          this.settle();
        }),
    };
  }

  private settle(): void {
    const resolve = this.waiting;
    if (!resolve) return;
    if (this.closed) resolve({ done: true, value: undefined });
    else if (this.arrived.length > 0) resolve({ done: false, value: this.arrived.splice(0) });
    else return;
    this.waiting = undefined;
  }
}

describe('pacedSource', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());
  const now = () => Date.now();

  it('hands the first item over at once, then groups what arrives within the interval', async () => {
    const source = new BatchingSource();
    const paced = pacedSource(source, 20, now)[Symbol.asyncIterator]();
    source.arrive(1);
    expect(await paced.next()).toEqual({ done: false, value: [1] });
    const second = paced.next();
    for (const item of [2, 3, 4]) {
      source.arrive(item);
      await vi.advanceTimersByTimeAsync(5);
    }
    // Not asked for before the interval is up: what arrived meanwhile goes out together.
    expect(source.pulls).toBe(1);
    await vi.advanceTimersByTimeAsync(5);
    expect(await second).toEqual({ done: false, value: [2, 3, 4] });
    expect(source.pulls).toBe(2);
  });

  it('does not hold back an item that comes after a quiet spell', async () => {
    const source = new BatchingSource();
    const paced = pacedSource(source, 20, now)[Symbol.asyncIterator]();
    source.arrive(1);
    await paced.next();
    await vi.advanceTimersByTimeAsync(50);
    const next = paced.next();
    await vi.advanceTimersByTimeAsync(0);
    source.arrive(2);
    expect(await next).toEqual({ done: false, value: [2] });
  });

  it('sends at most one payload per interval while items keep coming', async () => {
    const source = new BatchingSource();
    const paced = pacedSource(source, 20, now)[Symbol.asyncIterator]();
    let item = 0;
    const feeding = setInterval(() => source.arrive(++item), 5);
    const handedAt: number[] = [];
    for (let i = 0; i < 5; i++) {
      const result = paced.next();
      await vi.advanceTimersByTimeAsync(25);
      await result;
      handedAt.push(Date.now());
    }
    clearInterval(feeding);
    for (let i = 1; i < handedAt.length; i++) expect(handedAt[i]! - handedAt[i - 1]!).toBeGreaterThanOrEqual(20);
  });

  it('ends a wait at once when closed, and closes the source', async () => {
    const source = new BatchingSource();
    const paced = pacedSource(source, 1000, now);
    const iterator = paced[Symbol.asyncIterator]();
    source.arrive(1);
    await iterator.next();
    const waiting = iterator.next();
    await paced.close();
    expect(await waiting).toEqual({ done: true, value: undefined });
    expect(source.closed).toBe(true);
  });

  it('passes the source through unpaced at 0 and refuses a negative interval', () => {
    const source = new BatchingSource();
    expect(pacedSource(source, 0)).toBe(source);
    expect(() => pacedSource(source, -1)).toThrow(/intervalMs must be 0 or more, got -1/);
  });
});
