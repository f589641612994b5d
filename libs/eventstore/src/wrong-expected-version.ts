import type { AggregateRef } from './event-store.js';

/** Another writer got there first: re-read the aggregate, decide again, append again. */
export class WrongExpectedVersion extends Error {
  constructor(
    readonly aggregate: AggregateRef,
    readonly expected: number | 'any',
    readonly actual: number,
  ) {
    super(
      `${aggregate.type} ${JSON.stringify(aggregate.id)} is at version ${actual}, not the expected ${expected}; re-read it and decide again`,
    );
    this.name = 'WrongExpectedVersion';
  }
}
