import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { create, ScalarType, type DescField, type DescMessage } from '@bufbuild/protobuf';
import type { DecodeResult } from './decode-error.js';
import type { Envelope } from './envelope.js';
import { decodeEnvelope, decodeEnvelopeStrict, encodeEnvelopeCanonical } from './event-codec.js';
import { aggregateTypeOf, eventSchemas, type EventType } from './event-types.js';

/**
 * Any message of the schema. Partial: every field may be unset or zero, so
 * required fields are sometimes missing. Complete: every field set.
 */
function messageArbitrary(schema: DescMessage, complete: boolean, depth = 0): fc.Arbitrary<Record<string, unknown>> {
  const fields: Record<string, fc.Arbitrary<unknown>> = {};
  for (const field of schema.fields) {
    if (field.oneof) continue;
    const value = fieldArbitrary(field, complete, depth);
    if (value) fields[field.localName] = value;
  }
  return complete ? fc.record(fields) : fc.record(fields, { requiredKeys: [] });
}

function fieldArbitrary(field: DescField, complete: boolean, depth: number): fc.Arbitrary<unknown> | undefined {
  const minLength = complete ? 1 : 0;
  switch (field.fieldKind) {
    case 'scalar':
      return scalarArbitrary(field.scalar, field.longAsString, complete);
    case 'enum':
      return enumArbitrary(
        field.enum.values.map((v) => v.number),
        complete,
      );
    case 'message':
      return depth < 3 ? messageArbitrary(field.message, complete, depth + 1) : undefined;
    case 'list':
      if (field.listKind === 'message')
        return depth < 3 ? fc.array(messageArbitrary(field.message, complete, depth + 1), { minLength, maxLength: 3 }) : undefined;
      if (field.listKind === 'enum')
        return fc.array(
          enumArbitrary(
            field.enum.values.map((v) => v.number),
            complete,
          ),
          { minLength, maxLength: 3 },
        );
      return fc.array(scalarArbitrary(field.scalar, field.longAsString, complete), { minLength, maxLength: 3 });
    case 'map':
      if (field.mapKind !== 'scalar') return undefined;
      return fc.dictionary(fc.string({ maxLength: 5 }), scalarArbitrary(field.scalar, false, complete), { minKeys: minLength, maxKeys: 3 });
  }
}

function enumArbitrary(numbers: number[], complete: boolean): fc.Arbitrary<number> {
  return fc.constantFrom(...(complete && numbers.length > 1 ? numbers.slice(1) : numbers));
}

function scalarArbitrary(scalar: ScalarType, longAsString: boolean, complete: boolean): fc.Arbitrary<unknown> {
  const nonZero = <T>(zero: T, value: fc.Arbitrary<T>) => (complete ? value.filter((v) => v !== zero) : fc.oneof(fc.constant(zero), value));
  switch (scalar) {
    case ScalarType.STRING:
      return nonZero('', fc.string({ maxLength: 12 }));
    case ScalarType.BOOL:
      return complete ? fc.constant(true) : fc.boolean();
    case ScalarType.BYTES:
      return fc.uint8Array({ minLength: complete ? 1 : 0, maxLength: 6 });
    case ScalarType.DOUBLE:
      return nonZero(0, fc.double({ noNaN: true, noDefaultInfinity: true }));
    case ScalarType.FLOAT:
      return nonZero(0, fc.float({ noNaN: true, noDefaultInfinity: true }).map(Math.fround));
    case ScalarType.INT32:
    case ScalarType.SINT32:
    case ScalarType.SFIXED32:
      return nonZero(0, fc.integer());
    case ScalarType.UINT32:
    case ScalarType.FIXED32:
      return nonZero(0, fc.nat({ max: 0xffffffff }));
    case ScalarType.UINT64:
    case ScalarType.FIXED64: {
      const value = nonZero(0n, fc.bigInt({ min: 0n, max: 2n ** 64n - 1n }));
      return longAsString ? value.map(String) : value;
    }
    default: {
      const value = nonZero(0n, fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n }));
      return longAsString ? value.map(String) : value;
    }
  }
}

const eventTypes = Object.keys(eventSchemas) as EventType[];

const envelopeArbitrary = (complete: fc.Arbitrary<boolean>) =>
  fc.tuple(fc.constantFrom(...eventTypes), complete).chain(([type, whole]) =>
    fc.record({
      id: fc.oneof(fc.constant(''), fc.uuid()),
      type: fc.constant(type),
      aggregateType: fc.constant(aggregateTypeOf(type)!),
      aggregateId: fc.oneof(fc.constant(''), fc.string({ minLength: 1, maxLength: 8 })),
      version: fc.oneof(fc.constant(0), fc.nat({ max: 0xffffffff })),
      occurredAt: fc.oneof(
        fc.constant(''),
        fc.date({ noInvalidDate: true }).map((d) => d.toISOString()),
      ),
      correlationId: fc.oneof(fc.constant(''), fc.string({ maxLength: 8 })),
      causationId: fc.oneof(fc.constant(''), fc.string({ maxLength: 8 })),
      traceparent: fc.oneof(fc.constant(''), fc.string({ maxLength: 8 })),
      data: messageArbitrary(eventSchemas[type], whole).map((init) => create(eventSchemas[type] as DescMessage, init)),
    }),
  ) as fc.Arbitrary<Envelope>;

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
