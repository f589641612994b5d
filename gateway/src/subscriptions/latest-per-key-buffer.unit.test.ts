import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { LatestPerKeyBuffer } from './latest-per-key-buffer.js';

function drain<K, V>(buffer: LatestPerKeyBuffer<K, V>): V[] {
  const values: V[] = [];
  for (let value = buffer.take(); value !== undefined; value = buffer.take()) values.push(value);
  return values;
}

describe('LatestPerKeyBuffer', () => {
  it('keeps one entry per key with its latest value, in the order keys first waited', () => {
    const buffer = new LatestPerKeyBuffer<string, string>(10);
    buffer.put('a', 'a1');
    buffer.put('b', 'b1');
    buffer.put('a', 'a2');
    expect(drain(buffer)).toEqual(['a2', 'b1']);
  });

  it('drops the oldest waiting key past its capacity and counts it', () => {
    const buffer = new LatestPerKeyBuffer<string, string>(2);
    expect(buffer.put('a', 'a1')).toBe(false);
    expect(buffer.put('b', 'b1')).toBe(false);
    expect(buffer.put('c', 'c1')).toBe(true);
    expect(buffer.dropped).toBe(1);
    expect(drain(buffer)).toEqual(['b1', 'c1']);
  });

  it('refuses a capacity below one', () => {
    expect(() => new LatestPerKeyBuffer(0)).toThrow(/capacity must be a positive integer, got 0/);
  });

  it('never holds more than its capacity, and what it holds is the latest value of the most recent keys', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 8 }),
        fc.array(fc.tuple(fc.integer({ min: 0, max: 15 }), fc.nat()), { maxLength: 200 }),
        (capacity, puts) => {
          const buffer = new LatestPerKeyBuffer<number, [number, number]>(capacity);
          for (const [key, value] of puts) {
            buffer.put(key, [key, value]);
            expect(buffer.size).toBeLessThanOrEqual(capacity);
          }
          const held = drain(buffer);
          const latest = new Map(puts.map(([key, value]) => [key, value]));
          for (const [key, value] of held) expect(latest.get(key)).toBe(value);
          expect(new Set(held.map(([key]) => key)).size).toBe(held.length);
          // The key written last is never the one dropped.
          if (puts.length > 0) expect(held.map(([key]) => key)).toContain(puts.at(-1)![0]);
        },
      ),
    );
  });
});
