import type { ClosableSource } from './subscription-iterator.js';

const done: IteratorReturnResult<undefined> = { done: true, value: undefined };

/**
 * `source` with its items handed out at most one per `intervalMs`: after an
 * item goes, the next is asked for only once the interval has passed. Made for
 * a source that hands over everything ready at each pull (a log tail), so
 * whatever arrives meanwhile goes out together: a run writing hundreds of
 * lines a second costs its reader one message per interval instead of one per
 * line. An item after a quiet spell goes at once. 0 turns pacing off.
 */
export function pacedSource<T>(
  source: ClosableSource<T>,
  intervalMs: number,
  now: () => number = () => performance.now(),
): ClosableSource<T> {
  if (!(intervalMs >= 0)) throw new RangeError(`intervalMs must be 0 or more, got ${String(intervalMs)}`);
  if (intervalMs === 0) return source;
  const inner = source[Symbol.asyncIterator]();
  let lastAt = -Infinity;
  let closed = false;
  let endWait: (() => void) | undefined;

  const close = async () => {
    closed = true;
    endWait?.();
    await source.close();
  };
  const iterator: AsyncIterator<T> = {
    async next() {
      const wait = lastAt + intervalMs - now();
      if (wait > 0 && !closed) {
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, wait);
          endWait = () => {
            clearTimeout(timer);
            resolve();
          };
        });
        endWait = undefined;
      }
      if (closed) return done;
      const result = await inner.next();
      if (!result.done) lastAt = now();
      return result;
    },
    async return() {
      await close();
      return done;
    },
  };
  return { [Symbol.asyncIterator]: () => iterator, close };
}
