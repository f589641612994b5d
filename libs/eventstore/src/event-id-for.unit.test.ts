import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { eventIdFor } from './event-id-for.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

describe('eventIdFor', () => {
  it('is a version 5 shaped UUID, the same for the same name', () => {
    fc.assert(
      fc.property(fc.string(), (name) => {
        const id = eventIdFor(name);
        expect(id).toMatch(UUID);
        expect(eventIdFor(name)).toBe(id);
      }),
    );
  });

  it('differs between the facts of one run', () => {
    const ids = ['RunStarted', 'RunFinished', 'RunUsageReported:1', 'RunUsageReported:2'].map((fact) => eventIdFor(`t1-r1:${fact}`));
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('keeps the ids already appended by the services', () => {
    // A changed id would let a redelivery of an old message record its fact twice.
    expect(eventIdFor('t1-r1:RunStarted')).toBe('702dc2c3-5370-599e-b91e-62060b495337');
  });
});
