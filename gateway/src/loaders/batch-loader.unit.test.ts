import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { BatchLoader } from './batch-loader.js';

/** A loader over a fixed table, recording the key lists it was asked for. */
function recorded(table: ReadonlyMap<string, number>) {
  const calls: string[][] = [];
  const loader = new BatchLoader<string, number | undefined>(async (keys) => {
    calls.push([...keys]);
    return new Map(keys.filter((k) => table.has(k)).map((k) => [k, table.get(k)!]));
  }, undefined);
  return { loader, calls };
}

describe('BatchLoader', () => {
  it('answers every key asked for in one turn with one call, each key once', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.dictionary(fc.string({ maxLength: 4 }), fc.integer()),
        fc.array(fc.string({ maxLength: 4 }), { minLength: 1, maxLength: 30 }),
        async (entries, asked) => {
          const table = new Map(Object.entries(entries));
          const { loader, calls } = recorded(table);
          const answers = await Promise.all(asked.map((key) => loader.load(key)));
          expect(answers).toEqual(asked.map((key) => table.get(key)));
          expect(calls).toHaveLength(1);
          expect([...calls[0]!].sort()).toEqual([...new Set(asked)].sort());
        },
      ),
    );
  });

  it.each([
    ['a key it had answered', ['a'], ['a'], 1],
    ['a new key', ['a'], ['b'], 2],
  ])('in a later turn, for %s, calls again only when it must', async (_, first, later, expectedCalls) => {
    const { loader, calls } = recorded(new Map([['a', 1]]));
    await Promise.all(first.map((k) => loader.load(k)));
    await Promise.all(later.map((k) => loader.load(k)));
    expect(calls).toHaveLength(expectedCalls);
  });

  it('fails every key of a failed call, and asks again for them afterwards', async () => {
    let fail = true;
    const loader = new BatchLoader<string, string>(async (keys) => {
      if (fail) throw new Error('Postgres is away');
      return new Map(keys.map((k) => [k, k.toUpperCase()]));
    }, '');
    const results = await Promise.allSettled([loader.load('a'), loader.load('b')]);
    expect(results.map((r) => r.status)).toEqual(['rejected', 'rejected']);
    fail = false;
    expect(await loader.load('a')).toBe('A');
  });
});
