import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { LruCache } from './lru-cache.js';

describe('LruCache', () => {
  it('evicts the least recently used entry when full', () => {
    const cache = new LruCache<string, number>(2);
    cache.set('a', 1);
    cache.set('b', 2);
    cache.get('a');
    cache.set('c', 3);
    expect(cache.get('b')).toBeUndefined();
    expect(cache.get('a')).toBe(1);
    expect(cache.get('c')).toBe(3);
  });

  it('never holds more than its capacity and always keeps the latest write', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 8 }), fc.array(fc.tuple(fc.integer({ min: 0, max: 20 }), fc.integer())), (capacity, writes) => {
        const cache = new LruCache<number, number>(capacity);
        for (const [key, value] of writes) {
          cache.set(key, value);
          expect(cache.size).toBeLessThanOrEqual(capacity);
          expect(cache.get(key)).toBe(value);
        }
      }),
    );
  });

  it('rejects a capacity that is not a positive integer', () => {
    expect(() => new LruCache(0)).toThrow(/positive integer, got 0/);
  });
});
