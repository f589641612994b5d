import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { KeyedMutex } from './keyed-mutex.js';
import { MirrorRefresher } from './mirror-refresher.js';

/** A fetch whose completion the test controls; records when each fetch started and with which url. */
function controlledFetch() {
  const started: { url: string; finish: (problem?: string) => void }[] = [];
  const fetch = (_dir: string, url: string) =>
    new Promise<string | undefined>((resolve) => {
      started.push({ url, finish: resolve });
    });
  return { fetch, started };
}

const flush = () => new Promise((resolve) => setImmediate(resolve));

describe('MirrorRefresher', () => {
  it('lets provisions queued behind a fetch share the next fetch, but never one that started before they arrived', async () => {
    const { fetch, started } = controlledFetch();
    const refresher = new MirrorRefresher(fetch);
    const lock = new KeyedMutex();
    const refresh = (arrivedAt: number) => lock.run('repo', () => refresher.refresh('repo', '/m', 'u', arrivedAt));

    const first = refresh(refresher.now());
    await flush();
    // Two provisions arrive while the first fetch runs: it started before them, so it cannot serve them.
    const second = refresh(refresher.now());
    const third = refresh(refresher.now());
    started[0]!.finish();
    await first;
    await flush();
    expect(started).toHaveLength(2);
    started[1]!.finish();
    await Promise.all([second, third]);

    expect(started).toHaveLength(2);
  });

  it('fetches again after a failed fetch, after the url changed and after the mirror was forgotten', async () => {
    const { fetch, started } = controlledFetch();
    const refresher = new MirrorRefresher(fetch);
    const finishNext = async (problem?: string) => {
      await flush();
      started.at(-1)!.finish(problem);
    };

    const arrived = refresher.now();
    const failed = refresher.refresh('repo', '/m', 'u', arrived);
    await finishNext('unreachable');
    expect(await failed).toBe('unreachable');
    const retried = refresher.refresh('repo', '/m', 'u', arrived);
    await finishNext();
    expect(await retried).toBeUndefined();
    expect(started).toHaveLength(2);

    const otherUrl = refresher.refresh('repo', '/m', 'v', arrived);
    await finishNext();
    await otherUrl;
    expect(started.map((s) => s.url)).toEqual(['u', 'u', 'v']);

    refresher.forget('repo');
    const afterForget = refresher.refresh('repo', '/m', 'v', arrived);
    await finishNext();
    await afterForget;
    expect(started).toHaveLength(4);
  });

  it('serves every provision with a fetch that started after it arrived, for any interleaving', async () => {
    // Each step either lets a provision arrive or lets the running fetch finish.
    await fc.assert(
      fc.asyncProperty(fc.array(fc.boolean(), { minLength: 1, maxLength: 30 }), async (steps) => {
        const fetchStarts: number[] = [];
        let finishRunning: (() => void) | undefined;
        const refresher: MirrorRefresher = new MirrorRefresher(
          () =>
            new Promise<undefined>((resolve) => {
              fetchStarts.push(refresher.now());
              finishRunning = () => resolve(undefined);
            }),
        );
        const lock = new KeyedMutex();
        const served: Promise<{ arrivedAt: number; fetchesBefore: number }>[] = [];
        for (const arrive of steps) {
          if (arrive) {
            const arrivedAt = refresher.now();
            served.push(
              lock.run('repo', async () => {
                await refresher.refresh('repo', '/m', 'u', arrivedAt);
                return { arrivedAt, fetchesBefore: fetchStarts.length };
              }),
            );
          } else {
            const finish = finishRunning;
            finishRunning = undefined;
            finish?.();
          }
          await flush();
        }
        while (finishRunning) {
          const finish = finishRunning;
          finishRunning = undefined;
          finish();
          await flush();
        }
        for (const { arrivedAt, fetchesBefore } of await Promise.all(served)) {
          // The newest fetch finished when this provision was served; it must have started after the arrival.
          const servedBy = fetchStarts[fetchesBefore - 1];
          expect(servedBy).toBeDefined();
          expect(servedBy!).toBeGreaterThanOrEqual(arrivedAt);
        }
        expect(fetchStarts.length).toBeLessThanOrEqual(served.length);
      }),
    );
  });
});
