import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { envelopeArbitrary } from '../test/message-arbitrary.js';
import type { DecodeResult } from './decode-error.js';
import type { Envelope } from './envelope.js';
import { decodeEnvelope, decodeEnvelopeStrict, encodeEnvelopeCanonical } from './event-codec.js';
import { eventSchemas, type EventType } from './event-types.js';

const eventTypes = Object.keys(eventSchemas) as EventType[];

/** Edits that take an envelope out of canonical form (or out of the schema altogether). */
type Edit = (json: Record<string, unknown>) => void;
const edits: Record<string, Edit> = {
  nothing: () => undefined,
  'an unknown envelope field': (json) => (json.colour = 'red'),
  'an unknown data field': (json) => ((json.data as Record<string, unknown>).colour = 'red'),
  'the proto field name': (json) => {
    json.aggregate_id = json.aggregateId;
    delete json.aggregateId;
  },
  'the version as a string': (json) => (json.version = String(json.version)),
  'a null correlation id': (json) => (json.correlationId = null),
  'another type URL prefix': (json) => ((json.data as Record<string, unknown>)['@type'] = `example.com/cohort.v1.${String(json.type)}`),
  'another event type': (json) => (json.type = json.type === 'TaskCreated' ? 'TaskCompleted' : 'TaskCreated'),
  'another aggregate': (json) => (json.aggregateType = json.aggregateType === 'task' ? 'repo' : 'task'),
  'an unknown event type': (json) => (json.type = 'TaskExploded'),
  'no data': (json) => delete json.data,
  'data as an array': (json) => (json.data = []),
  'a version out of range': (json) => (json.version = 2 ** 32),
};

function outcome(result: DecodeResult<Envelope>) {
  return result.ok ? result : { ok: false, code: result.error.code, field: result.error.field, message: result.error.message };
}

describe('decoding canonical envelopes on the fast path', () => {
  it('gives what the strict decoder gives, for any event of every type, canonical or edited (property)', () => {
    const seen = new Set<string>();
    fc.assert(
      fc.property(envelopeArbitrary(fc.boolean()), fc.constantFrom(...Object.keys(edits)), (envelope, edit) => {
        const json = JSON.parse(new TextDecoder().decode(encodeEnvelopeCanonical(envelope))) as Record<string, unknown>;
        edits[edit]!(json);
        const bytes = new TextEncoder().encode(JSON.stringify(json));
        const fast = decodeEnvelope(bytes);
        expect(outcome(fast)).toEqual(outcome(decodeEnvelopeStrict(bytes)));
        if (fast.ok) seen.add(envelope.type);
      }),
      { numRuns: 3000 },
    );
    // Not vacuous: valid events of (nearly) every type went through.
    expect(seen.size).toBeGreaterThan(eventTypes.length / 2);
  });

  it('decodes every event type exactly as written, when all its fields are set', () => {
    const seen = new Set<string>();
    const complete = envelopeArbitrary(fc.constant(true)).filter(
      (e) => e.id !== '' && e.aggregateId !== '' && e.version > 0 && e.occurredAt !== '',
    );
    fc.assert(
      fc.property(complete, (envelope) => {
        const decoded = decodeEnvelope(encodeEnvelopeCanonical(envelope));
        expect(decoded.ok && decoded.value).toEqual(envelope);
        seen.add(envelope.type);
      }),
      { numRuns: 500 },
    );
    expect([...seen].sort()).toEqual([...eventTypes].sort());
  });
});
