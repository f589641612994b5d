/** A stored event the codec rejects: a bug or a foreign writer, never a transient fault, so it is not retried. */
export class UndecodableEvent extends Error {
  constructor(
    readonly position: number,
    reason: string,
  ) {
    super(`event at position ${position} cannot be decoded: ${reason}`);
    this.name = 'UndecodableEvent';
  }
}
