import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CoalescedRuns } from './coalesced-runs.js';

/** Work whose runs the test finishes one by one; each run resolves to its own number. */
function controlledWork() {
  const finishers: ((outcome?: Error) => void)[] = [];
  let started = 0;
  const work = () =>
    new Promise<number>((resolve, reject) => {
      const number = ++started;
      finishers.push((outcome) => (outcome ? reject(outcome) : resolve(number)));
    });
  return { work, finishers, started: () => started };
}

const flush = () => new Promise((resolve) => setImmediate(resolve));

describe('CoalescedRuns', () => {
  it('gives every call made during a run one shared run after it', async () => {
    const runs = new CoalescedRuns<number>();
    const { work, finishers, started } = controlledWork();

    const first = runs.run('repo', work);
    await flush();
    const during = [runs.run('repo', work), runs.run('repo', work), runs.run('repo', work)];
    await flush();
    expect(started()).toBe(1);
    finishers[0]!();
    expect(await first).toBe(1);
    await flush();
    expect(started()).toBe(2);
    finishers[1]!();

    expect(await Promise.all(during)).toEqual([2, 2, 2]);
  });

  it('runs different keys side by side and starts afresh once a key is idle', async () => {
    const runs = new CoalescedRuns<number>();
    const { work, finishers, started } = controlledWork();

    const a = runs.run('a', work);
    const b = runs.run('b', work);
    await flush();
    expect(started()).toBe(2);
    finishers[0]!();
    finishers[1]!();
    await Promise.all([a, b]);
    const again = runs.run('a', work);
    await flush();
    finishers[2]!();

    expect(await again).toBe(3);
  });

  it('still makes the shared run when the one before it failed', async () => {
    const runs = new CoalescedRuns<number>();
    const { work, finishers } = controlledWork();

    const failing = runs.run('repo', work);
    await flush();
    const waiting = runs.run('repo', work);
    finishers[0]!(new Error('git broke'));
    await expect(failing).rejects.toThrow('git broke');
    await flush();
    finishers[1]!();

    expect(await waiting).toBe(2);
  });

  it('never runs a key twice at once, and every call is answered by a run that started after it', async () => {
    // Each step either makes a call or finishes the oldest running work.
    await fc.assert(
      fc.asyncProperty(fc.array(fc.boolean(), { minLength: 1, maxLength: 40 }), async (steps) => {
        const runs = new CoalescedRuns<number>();
        let clock = 0;
        let running = 0;
        let maxRunning = 0;
        const startedAt: number[] = [];
        const finishers: (() => void)[] = [];
        const work = () =>
          new Promise<number>((resolve) => {
            running++;
            maxRunning = Math.max(maxRunning, running);
            const run = startedAt.push(++clock) - 1;
            finishers.push(() => {
              running--;
              resolve(run);
            });
          });
        const calls: Promise<{ calledAt: number; run: number }>[] = [];
        for (const call of steps) {
          if (call) {
            const calledAt = ++clock;
            calls.push(runs.run('repo', work).then((run) => ({ calledAt, run })));
          } else finishers.shift()?.();
          await flush();
        }
        while (finishers.length > 0) {
          finishers.shift()!();
          await flush();
        }
        for (const { calledAt, run } of await Promise.all(calls)) expect(startedAt[run]!).toBeGreaterThan(calledAt);
        expect(maxRunning).toBeLessThanOrEqual(1);
      }),
    );
  });
});
