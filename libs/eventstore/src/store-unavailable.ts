/**
 * The store could not be reached or did not answer in time. The outcome of
 * the operation is unknown: an append may or may not have been stored, so
 * retry it with the same event ids (appends are idempotent by event id).
 */
export class StoreUnavailable extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'StoreUnavailable';
  }
}
