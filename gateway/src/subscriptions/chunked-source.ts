import type { ChunkQueue } from './chunk-queue.js';
import type { ClosableSource } from './subscription-iterator.js';

const done: IteratorReturnResult<undefined> = { done: true, value: undefined };

/**
 * `source` read ahead into `queue`, handed out as chunks: each `next()` takes
 * whatever waits (see {@link ChunkQueue.take}), or the first item to arrive
 * when nothing does. Nothing waits on a timer, so a reader that keeps up gets
 * each item as soon as it arrives, alone; items that arrive while the reader
 * is busy go out together on its next pull.
 *
 * Reading ahead pauses while the queue is full, so a slow reader holds back
 * the source (and the server behind it) instead of filling memory; it gets
 * every item, later. When the source fails, the items read before the failure
 * are handed out first, then `next()` throws the source's error.
 *
 * One reader: `next()` is not called again before the previous call settles.
 */
export function chunkedSource<T>(source: ClosableSource<T>, queue: ChunkQueue<T>): ClosableSource<T[]> {
  let reading: Promise<void> | undefined;
  let finished = false;
  let failure: { readonly error: unknown } | undefined;
  let closed = false;
  let wakeReader: (() => void) | undefined;
  let wakeReadAhead: (() => void) | undefined;

  const wake = () => {
    const resume = wakeReader;
    wakeReader = undefined;
    resume?.();
  };
  const makeRoom = () => {
    const resume = wakeReadAhead;
    wakeReadAhead = undefined;
    resume?.();
  };

  async function readAhead(): Promise<void> {
    const items = source[Symbol.asyncIterator]();
    try {
      while (!closed) {
        if (queue.full) {
          await new Promise<void>((resolve) => (wakeReadAhead = resolve));
          continue;
        }
        const result = await items.next();
        if (result.done || closed) break;
        queue.push(result.value);
        wake();
      }
    } catch (error) {
      if (!closed) failure = { error };
    } finally {
      finished = true;
      wake();
    }
  }

  const close = async () => {
    if (closed) return;
    closed = true;
    wake();
    makeRoom();
    await source.close();
  };

  const iterator: AsyncIterator<T[]> = {
    async next() {
      reading ??= readAhead();
      for (;;) {
        if (closed) return done;
        const chunk = queue.take();
        if (chunk) {
          if (!queue.full) makeRoom();
          return { done: false, value: chunk };
        }
        if (failure) {
          const { error } = failure;
          failure = undefined;
          throw error;
        }
        if (finished) return done;
        await new Promise<void>((resolve) => (wakeReader = resolve));
      }
    },
    async return() {
      await close();
      return done;
    },
  };
  return { [Symbol.asyncIterator]: () => iterator, close };
}
