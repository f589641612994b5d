import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { deterministicEventId } from './event-ids.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

describe('deterministicEventId', () => {
  it('is a version 5 shaped UUID, the same for the same name', () => {
    fc.assert(
      fc.property(fc.string(), (name) => {
        const id = deterministicEventId(name);
        expect(id).toMatch(UUID);
        expect(deterministicEventId(name)).toBe(id);
      }),
    );
  });

  it('differs between the facts of one run', () => {
    const ids = ['RunStarted', 'RunFinished', 'RunUsageReported:1', 'RunUsageReported:2'].map((fact) =>
      deterministicEventId(`t1-r1:${fact}`),
    );
    expect(new Set(ids).size).toBe(ids.length);
  });
});
