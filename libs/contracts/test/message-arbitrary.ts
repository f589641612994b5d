import fc from 'fast-check';
import { create, ScalarType, type DescField, type DescMessage } from '@bufbuild/protobuf';
import type { Envelope } from '../src/envelope.js';
import { aggregateTypeOf, eventSchemas, type EventType } from '../src/event-types.js';

/**
 * Any message of the schema. Partial: every field may be unset or zero, so
 * required fields are sometimes missing. Complete: every field set.
 */
export function messageArbitrary(schema: DescMessage, complete: boolean, depth = 0): fc.Arbitrary<Record<string, unknown>> {
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

/** Any envelope of any event type; its data complete when `complete` says so. */
export const envelopeArbitrary = (complete: fc.Arbitrary<boolean>) =>
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
