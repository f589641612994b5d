import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ChunkQueue, type ChunkLimits } from './chunk-queue.js';

interface Item {
  readonly id: number;
  readonly weight: number;
}

const queueOf = (limits: ChunkLimits, backlogChunks?: number) => new ChunkQueue<Item>(limits, (item) => item.weight, backlogChunks);
const items = (...weights: number[]): Item[] => weights.map((weight, id) => ({ id, weight }));
const ids = (chunk: readonly Item[] | undefined) => chunk?.map((item) => item.id);

describe('ChunkQueue', () => {
  it('hands over every waiting item in one chunk, in arrival order, and nothing when none waits', () => {
    const queue = queueOf({ maxItems: 10, maxWeight: 100 });
    expect(queue.take()).toBeUndefined();
    for (const item of items(1, 2, 3)) queue.push(item);
    expect(ids(queue.take())).toEqual([0, 1, 2]);
    expect(queue.take()).toBeUndefined();
    expect(queue.size).toBe(0);
    expect(queue.weight).toBe(0);
  });

  it('stops a chunk at the item cap and leaves the rest for the next take', () => {
    const queue = queueOf({ maxItems: 2, maxWeight: 100 });
    for (const item of items(1, 1, 1, 1, 1)) queue.push(item);
    expect([ids(queue.take()), ids(queue.take()), ids(queue.take())]).toEqual([[0, 1], [2, 3], [4]]);
  });

  it('stops a chunk before the item that would pass the weight cap, but sends an overweight item alone', () => {
    const queue = queueOf({ maxItems: 10, maxWeight: 10 });
    for (const item of items(4, 6, 1, 25, 3)) queue.push(item);
    expect([ids(queue.take()), ids(queue.take()), ids(queue.take()), ids(queue.take())]).toEqual([[0, 1], [2], [3], [4]]);
  });

  it('is full once a backlog of whole chunks waits, by count or by weight', () => {
    const byCount = queueOf({ maxItems: 2, maxWeight: 100 }, 2);
    for (const item of items(1, 1, 1)) byCount.push(item);
    expect(byCount.full).toBe(false);
    byCount.push({ id: 3, weight: 1 });
    expect(byCount.full).toBe(true);
    byCount.take();
    expect(byCount.full).toBe(false);

    const byWeight = queueOf({ maxItems: 100, maxWeight: 10 }, 3);
    byWeight.push({ id: 0, weight: 29 });
    expect(byWeight.full).toBe(false);
    byWeight.push({ id: 1, weight: 1 });
    expect(byWeight.full).toBe(true);
  });

  it('refuses limits that are not positive whole numbers', () => {
    expect(() => queueOf({ maxItems: 0, maxWeight: 10 })).toThrow('maxItems must be a positive integer, got 0');
    expect(() => queueOf({ maxItems: 1, maxWeight: 1.5 })).toThrow('maxWeight must be a positive integer, got 1.5');
    expect(() => queueOf({ maxItems: 1, maxWeight: 1 }, -1)).toThrow('backlogChunks must be a positive integer, got -1');
  });

  it('for any interleaving of pushes and takes: chunks concatenate to the input, none empty, none above the caps, none shorter than it could be', () => {
    const operation = fc.oneof(fc.record({ push: fc.integer({ min: 0, max: 40 }) }), fc.constant({ take: true as const }));
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 6 }),
        fc.integer({ min: 1, max: 50 }),
        fc.integer({ min: 1, max: 3 }),
        fc.array(operation, { maxLength: 300 }),
        (maxItems, maxWeight, backlogChunks, operations) => {
          const queue = queueOf({ maxItems, maxWeight }, backlogChunks);
          const pushed: Item[] = [];
          const chunks: Item[][] = [];
          const take = () => {
            const waiting = pushed.slice(chunks.flat().length);
            const chunk = queue.take();
            if (waiting.length === 0) return expect(chunk).toBeUndefined();
            expect(chunk).toBeDefined();
            chunks.push(chunk!);
            expect(chunk!.length).toBeGreaterThan(0);
            expect(chunk!.length).toBeLessThanOrEqual(maxItems);
            const weight = chunk!.reduce((sum, item) => sum + item.weight, 0);
            if (chunk!.length > 1) expect(weight).toBeLessThanOrEqual(maxWeight);
            // Every waiting item the caps allow: a shorter chunk is one the next item would overflow.
            const next = waiting[chunk!.length];
            if (next !== undefined && chunk!.length < maxItems) expect(weight + next.weight).toBeGreaterThan(maxWeight);
          };
          for (const operation of operations) {
            if ('push' in operation) {
              const item = { id: pushed.length, weight: operation.push };
              pushed.push(item);
              queue.push(item);
            } else take();
            const waiting = pushed.slice(chunks.flat().length);
            const waitingWeight = waiting.reduce((sum, item) => sum + item.weight, 0);
            expect(queue.size).toBe(waiting.length);
            expect(queue.weight).toBe(waitingWeight);
            expect(queue.full).toBe(waiting.length >= maxItems * backlogChunks || waitingWeight >= maxWeight * backlogChunks);
          }
          while (queue.size > 0) take();
          expect(queue.take()).toBeUndefined();
          expect(chunks.flat()).toEqual(pushed);
        },
      ),
    );
  });

  it('keeps order across many takes that leave items behind', () => {
    const queue = queueOf({ maxItems: 3, maxWeight: 1_000 });
    const taken: number[] = [];
    for (let id = 0; id < 10_000; id++) {
      queue.push({ id, weight: 1 });
      // Four in, three out: the backlog grows, so the taken part of the array is dropped now and then.
      if (id % 4 === 3) taken.push(...ids(queue.take())!);
    }
    for (let chunk = queue.take(); chunk; chunk = queue.take()) taken.push(...ids(chunk)!);
    expect(taken).toEqual(Array.from({ length: 10_000 }, (_, id) => id));
  });
});
