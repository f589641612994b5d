import { describe, expect, it } from 'vitest';
import { KeyedWorkQueue } from './keyed-work-queue.js';
import { retryDelayMs } from './backoff.js';

const tick = () => new Promise((resolve) => setTimeout(resolve, 5));

describe('keyed work queue', () => {
  it('runs tasks of one key in push order, one at a time', async () => {
    const queue = new KeyedWorkQueue(8);
    const log: string[] = [];
    for (const n of [1, 2, 3]) {
      queue.push('a', async () => {
        log.push(`start ${n}`);
        await tick();
        log.push(`end ${n}`);
      });
    }
    await queue.whenIdle();
    expect(log).toEqual(['start 1', 'end 1', 'start 2', 'end 2', 'start 3', 'end 3']);
  });

  it('runs tasks of different keys side by side up to the limit', async () => {
    const queue = new KeyedWorkQueue(2);
    let running = 0;
    let peak = 0;
    for (const key of ['a', 'b', 'c', 'd']) {
      await queue.whenFree();
      queue.push(key, async () => {
        peak = Math.max(peak, ++running);
        await tick();
        running--;
      });
    }
    await queue.whenIdle();
    expect(peak).toBe(2);
  });

  it('goes on with the next task of a key after one fails', async () => {
    const queue = new KeyedWorkQueue(1);
    const done: number[] = [];
    queue.push('a', async () => {
      throw new Error('boom');
    });
    queue.push('a', async () => {
      done.push(2);
    });
    await queue.whenIdle();
    expect(done).toEqual([2]);
  });
});

describe('retry backoff', () => {
  it('doubles from the initial delay and stops at the maximum', () => {
    const delays = [1, 2, 3, 4, 5, 6].map((n) => retryDelayMs(n, { initialDelayMs: 100, maxDelayMs: 1000 }));
    expect(delays).toEqual([100, 200, 400, 800, 1000, 1000]);
  });
});
