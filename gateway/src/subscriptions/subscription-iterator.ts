/** A source of items that can be stopped while a `next()` is waiting. */
export interface ClosableSource<T> extends AsyncIterable<T> {
  close(): Promise<void>;
}

/**
 * What an iterator yields in place of a payload when its source fails: the
 * field's resolve throws it, so the client gets one payload with the error
 * (rather than the socket closing with 4500), and then the subscription ends.
 */
export class SubscriptionFailure {
  constructor(readonly error: unknown) {}
}

/**
 * The iterator graphql-ws drives for one subscription. Its return() (the
 * client completed, or the socket closed) stops the source at once: an async
 * generator would queue the return behind a `next()` waiting for an item that
 * may never come, and keep its NATS consumer alive meanwhile.
 * `map` turns each item into the payload; undefined skips the item.
 */
export function subscriptionIterator<S, T>(
  source: ClosableSource<S>,
  map: (item: S) => T | undefined,
): AsyncIterableIterator<T | SubscriptionFailure> {
  const inner = source[Symbol.asyncIterator]();
  const done: IteratorReturnResult<undefined> = { done: true, value: undefined };
  let closed = false;
  const iterator: AsyncIterableIterator<T | SubscriptionFailure> = {
    async next() {
      while (!closed) {
        let result: IteratorResult<S>;
        try {
          result = await inner.next();
        } catch (error) {
          if (closed) break;
          await iterator.return!();
          return { done: false, value: new SubscriptionFailure(error) };
        }
        if (result.done || closed) break;
        const value = map(result.value);
        if (value !== undefined) return { done: false, value };
      }
      await iterator.return!();
      return done;
    },
    async return() {
      if (!closed) {
        closed = true;
        await source.close();
      }
      return done;
    },
    async throw(error?: unknown) {
      await iterator.return!();
      throw error;
    },
    [Symbol.asyncIterator]: () => iterator,
  };
  return iterator;
}

/** The `resolve` of a subscription field: the payload itself, or the failure, as `toError` makes it, thrown as the field's error. */
export function resolvePayload(toError: (cause: unknown) => Error) {
  return (payload: unknown): unknown => {
    if (payload instanceof SubscriptionFailure) throw toError(payload.error);
    return payload;
  };
}
