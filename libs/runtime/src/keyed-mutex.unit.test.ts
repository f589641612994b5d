import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { KeyedMutex } from './keyed-mutex.js';

describe('KeyedMutex', () => {
  it('never overlaps work on the same key and runs it in call order', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(fc.tuple(fc.constantFrom('a', 'b'), fc.nat(3)), { maxLength: 20 }), async (jobs) => {
        const mutex = new KeyedMutex();
        const running = new Map<string, number>();
        const order: Record<string, number[]> = { a: [], b: [] };
        let overlapped = false;
        await Promise.all(
          jobs.map(([key, delay], i) =>
            mutex.run(key, async () => {
              running.set(key, (running.get(key) ?? 0) + 1);
              if ((running.get(key) ?? 0) > 1) overlapped = true;
              await new Promise((r) => setTimeout(r, delay));
              order[key]?.push(i);
              running.set(key, (running.get(key) ?? 0) - 1);
            }),
          ),
        );
        const expected = (key: string) => jobs.flatMap(([k], i) => (k === key ? [i] : []));
        return (
          !overlapped &&
          JSON.stringify(order.a) === JSON.stringify(expected('a')) &&
          JSON.stringify(order.b) === JSON.stringify(expected('b'))
        );
      }),
      { numRuns: 30 },
    );
  });

  it('keeps serving a key after a job on it failed', async () => {
    const mutex = new KeyedMutex();
    await expect(mutex.run('k', () => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
    await expect(mutex.run('k', () => Promise.resolve(42))).resolves.toBe(42);
  });
});
