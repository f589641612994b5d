import { setImmediate as settled } from 'node:timers/promises';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ChunkQueue, type ChunkLimits } from './chunk-queue.js';
import { chunkedSource } from './chunked-source.js';
import type { ClosableSource } from './subscription-iterator.js';

/**
 * A source whose items arrive when the test says: `next()` waits for the next
 * arrival, as a tail waits for the next stored line. Counts what was read.
 */
class ArrivingSource<T> implements ClosableSource<T> {
  private readonly arrived: T[] = [];
  private waiting: ((result: IteratorResult<T>) => void) | undefined;
  private failWith: { readonly error: unknown } | undefined;
  private ended = false;
  read = 0;
  closed = false;

  arrive(item: T): void {
    this.arrived.push(item);
    this.settle();
  }

  end(): void {
    this.ended = true;
    this.settle();
  }

  fail(error: unknown): void {
    this.failWith = { error };
    this.settle();
  }

  async close(): Promise<void> {
    this.closed = true;
    this.ended = true;
    this.settle();
  }

  [Symbol.asyncIterator](): AsyncIterator<T> {
    return {
      next: () =>
        new Promise<IteratorResult<T>>((resolve, reject) => {
          this.waiting = (result) => (result instanceof Error ? reject(result) : resolve(result));
          this.settle();
        }),
    };
  }

  private settle(): void {
    const resolve = this.waiting;
    if (!resolve) return;
    if (this.read < this.arrived.length) {
      this.waiting = undefined;
      resolve({ done: false, value: this.arrived[this.read++]! });
    } else if (this.failWith) {
      this.waiting = undefined;
      resolve(this.failWith.error as IteratorResult<T>);
    } else if (this.ended) {
      this.waiting = undefined;
      resolve({ done: true, value: undefined });
    }
  }
}

/** Lets every promise chain that can move, move. */
const quiet = () => settled();

const limits: ChunkLimits = { maxItems: 3, maxWeight: 1_000 };

function chunked(source: ArrivingSource<number>, chunkLimits = limits) {
  const chunks = chunkedSource(source, new ChunkQueue<number>(chunkLimits, () => 1));
  return { chunks, iterator: chunks[Symbol.asyncIterator]() };
}

describe('chunkedSource', () => {
  it('hands a waiting reader each item alone, as soon as it arrives', async () => {
    const source = new ArrivingSource<number>();
    const { iterator } = chunked(source);
    const first = iterator.next();
    await quiet();
    source.arrive(1);
    expect(await first).toEqual({ done: false, value: [1] });
    const second = iterator.next();
    source.arrive(2);
    expect(await second).toEqual({ done: false, value: [2] });
  });

  it('hands over together what arrived while the reader was busy, up to the cap', async () => {
    const source = new ArrivingSource<number>();
    const { iterator } = chunked(source);
    const first = iterator.next();
    source.arrive(1);
    expect((await first).value).toEqual([1]);
    for (let item = 2; item <= 6; item++) source.arrive(item);
    await quiet();
    expect((await iterator.next()).value).toEqual([2, 3, 4]);
    expect((await iterator.next()).value).toEqual([5, 6]);
  });

  it('stops reading ahead of a reader that does not pull, and reads on once it does', async () => {
    const source = new ArrivingSource<number>();
    const { iterator } = chunked(source);
    for (let item = 1; item <= 20; item++) source.arrive(item);
    const received = [...(await iterator.next()).value!];
    await quiet();
    // Two chunks' worth wait: nothing more is read until the reader pulls.
    expect(source.read - received.length).toBe(6);
    await quiet();
    expect(source.read - received.length).toBe(6);
    received.push(...(await iterator.next()).value!);
    await quiet();
    expect(source.read - received.length).toBe(6);
    while (received.length < 20) received.push(...(await iterator.next()).value!);
    expect(received).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
  });

  it('hands out what was read before the source failed, then its error, then ends', async () => {
    const source = new ArrivingSource<number>();
    const { iterator } = chunked(source);
    source.arrive(1);
    source.arrive(2);
    const failure = new Error('the server ended delivery');
    const first = iterator.next();
    await quiet();
    source.fail(failure);
    await quiet();
    expect(await first).toEqual({ done: false, value: [1] });
    expect(await iterator.next()).toEqual({ done: false, value: [2] });
    await expect(iterator.next()).rejects.toBe(failure);
    expect(await iterator.next()).toEqual({ done: true, value: undefined });
  });

  it('ends a pending pull and closes the source when returned', async () => {
    const source = new ArrivingSource<number>();
    const { iterator } = chunked(source);
    const pending = iterator.next();
    await quiet();
    await iterator.return!();
    expect(await pending).toEqual({ done: true, value: undefined });
    expect(source.closed).toBe(true);
    source.arrive(1);
    expect(await iterator.next()).toEqual({ done: true, value: undefined });
  });

  it('ends once the source ends and every item was handed out', async () => {
    const source = new ArrivingSource<number>();
    const { iterator } = chunked(source);
    source.arrive(1);
    source.end();
    expect(await iterator.next()).toEqual({ done: false, value: [1] });
    expect(await iterator.next()).toEqual({ done: true, value: undefined });
  });

  it('for any interleaving of arrivals and pulls: chunks concatenate to the arrivals, none empty, none above the cap, read-ahead bounded', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 1, max: 5 }),
        fc.array(fc.oneof(fc.constant('arrive' as const), fc.constant('pull' as const)), { maxLength: 120 }),
        async (maxItems, steps) => {
          const source = new ArrivingSource<number>();
          const { iterator } = chunked(source, { maxItems, maxWeight: 1_000 });
          const chunks: number[][] = [];
          let arrived = 0;
          let pending: Promise<IteratorResult<number[]>> | undefined;
          let pendingSince: 'empty' | 'waiting' = 'empty';
          let result: IteratorResult<number[]> | undefined;
          const record = (chunk: IteratorResult<number[]>) => {
            expect(chunk.done).toBe(false);
            expect(chunk.value.length).toBeGreaterThan(0);
            expect(chunk.value.length).toBeLessThanOrEqual(maxItems);
            chunks.push(chunk.value);
          };
          for (const step of steps) {
            if (step === 'arrive') {
              const arrivesToWaitingReader = pending !== undefined && pendingSince === 'empty' && chunks.flat().length === arrived;
              source.arrive(++arrived);
              await quiet();
              // A reader that keeps up is not made to wait for company.
              if (arrivesToWaitingReader) expect(result).toEqual({ done: false, value: [arrived] });
            } else if (pending === undefined) {
              pendingSince = chunks.flat().length === arrived ? 'empty' : 'waiting';
              pending = iterator.next().then((next) => {
                result = next;
                return next;
              });
              await quiet();
            }
            if (result !== undefined) {
              record(result);
              result = undefined;
              pending = undefined;
            }
            // Read from the source but not yet handed out: at most two chunks' worth.
            expect(source.read - chunks.flat().length).toBeLessThanOrEqual(maxItems * 2);
          }
          source.end();
          let next = pending ? await pending : await iterator.next();
          for (; !next.done; next = await iterator.next()) record(next);
          expect(chunks.flat()).toEqual(Array.from({ length: arrived }, (_, i) => i + 1));
        },
      ),
      { numRuns: 200 },
    );
  });
});
