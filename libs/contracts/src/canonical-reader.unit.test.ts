import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { create, fromJson, ScalarType, toJson, type DescMessage, type JsonValue } from '@bufbuild/protobuf';
import { messageArbitrary } from '../test/message-arbitrary.js';
import { readCanonical } from './canonical-reader.js';
import { eventSchemas } from './event-types.js';
import { cohortRegistry } from './registry.js';

/**
 * Every message type of the contracts: events, their parts, commands (some
 * of which the reader leaves to fromJson). Not the envelope: its Any is
 * decoded apart (see decodeEnvelope).
 */
const schemas = [...cohortRegistry].filter(
  (type): type is DescMessage => type.kind === 'message' && type.typeName !== 'cohort.v1.EventEnvelope',
);

function general(schema: DescMessage, json: unknown): { ok: true; value: unknown } | { ok: false } {
  try {
    return { ok: true, value: fromJson(schema, json as JsonValue, { ignoreUnknownFields: false }) };
  } catch {
    return { ok: false };
  }
}

/** Edits of a message's JSON that take it out of canonical form, or out of the schema. */
const edits: Record<string, (json: Record<string, unknown>, schema: DescMessage, pick: <T>(of: T[]) => T | undefined) => void> = {
  'an unknown field': (json) => (json.colour = 'red'),
  'a field by its proto name': (json, schema) => {
    const field = schema.fields.find((f) => f.name !== f.jsonName && json[f.jsonName] !== undefined);
    if (field) {
      json[field.name] = json[field.jsonName];
      delete json[field.jsonName];
    }
  },
  'a field at its zero value': (json, schema, pick) => {
    const field = pick(schema.fields.filter((f) => f.fieldKind === 'scalar' || f.fieldKind === 'enum'));
    if (field)
      json[field.jsonName] =
        field.fieldKind === 'enum' ? 0 : field.scalar === ScalarType.STRING ? '' : field.scalar === ScalarType.BOOL ? false : 0;
  },
  'a null field': (json, schema) => {
    if (schema.fields[0]) json[schema.fields[0].jsonName] = null;
  },
  'an enum by number': (json, schema) => {
    const field = schema.fields.find((f) => f.fieldKind === 'enum' && typeof json[f.jsonName] === 'string');
    if (field?.fieldKind === 'enum') json[field.jsonName] = field.enum.values.find((v) => v.name === json[field.jsonName])!.number;
  },
  'a number as a string': (json) => {
    for (const key of Object.keys(json)) if (typeof json[key] === 'number') json[key] = String(json[key]);
  },
  'a string as a number': (json) => {
    for (const key of Object.keys(json)) if (typeof json[key] === 'string') json[key] = 1;
  },
  'an empty list': (json, schema) => {
    const field = schema.fields.find((f) => f.fieldKind === 'list');
    if (field) json[field.jsonName] = [];
  },
  'a list item of the wrong type': (json) => {
    for (const key of Object.keys(json)) if (Array.isArray(json[key])) json[key] = [...(json[key] as unknown[]), { x: 1 }];
  },
  'an array instead of a message': (json, schema) => {
    const field = schema.fields.find((f) => f.fieldKind === 'message');
    if (field) json[field.jsonName] = [];
  },
  'a fraction in an integer': (json, schema) => {
    const field = schema.fields.find((f) => f.fieldKind === 'scalar' && (f.scalar === ScalarType.UINT32 || f.scalar === ScalarType.INT32));
    if (field) json[field.jsonName] = 1.5;
  },
  'an integer out of range': (json, schema) => {
    const field = schema.fields.find((f) => f.fieldKind === 'scalar' && f.scalar === ScalarType.UINT32);
    if (field) json[field.jsonName] = 2 ** 32;
  },
  'a negative unsigned integer': (json, schema) => {
    const field = schema.fields.find((f) => f.fieldKind === 'scalar' && f.scalar === ScalarType.UINT32);
    if (field) json[field.jsonName] = -1;
  },
  'a "__proto__" key': (json) => Object.defineProperty(json, '__proto__', { value: {}, enumerable: true }),
};

describe('readCanonical', () => {
  it('reads what the protobuf JSON writer writes, as fromJson does, for every message type (property)', () => {
    const read = new Set<string>();
    fc.assert(
      fc.property(
        fc.constantFrom(...schemas).chain((schema) => fc.tuple(fc.constant(schema), messageArbitrary(schema, false))),
        ([schema, init]) => {
          const json = toJson(schema, create(schema, init as never), { registry: cohortRegistry });
          const fast = readCanonical(schema, json);
          if (fast === undefined) return;
          read.add(schema.typeName);
          expect(fast).toStrictEqual(general(schema, json).ok && (general(schema, json) as { value: unknown }).value);
        },
      ),
      { numRuns: 3000 },
    );
    // Every event type has its reader (none falls back for what the writer writes).
    for (const schema of Object.values(eventSchemas)) expect(read).toContain(schema.typeName);
  });

  it('reads only JSON the writer would write, as fromJson does; anything else is undefined (property)', () => {
    const refused = new Set<string>();
    fc.assert(
      fc.property(
        fc.constantFrom(...schemas).chain((schema) => fc.tuple(fc.constant(schema), messageArbitrary(schema, true))),
        fc.constantFrom(...Object.keys(edits)),
        fc.nat(),
        ([schema, init], edit, choice) => {
          const json = toJson(schema, create(schema, init as never), { registry: cohortRegistry }) as Record<string, unknown>;
          const before = JSON.stringify(json);
          edits[edit]!(json, schema, (of) => of[choice % Math.max(1, of.length)]);
          const fast = readCanonical(schema, json);
          const reference = general(schema, json);
          if (fast === undefined) {
            if (JSON.stringify(json) !== before) refused.add(edit);
            return;
          }
          expect(reference.ok).toBe(true);
          expect(fast).toStrictEqual((reference as { value: unknown }).value);
          // Only canonical JSON is read: the writer gives back exactly what was read.
          expect(toJson(schema, fast)).toEqual(json);
        },
      ),
      { numRuns: 3000 },
    );
    // Not vacuous: each kind of edit was made, and refused, at least once.
    expect([...refused].sort()).toEqual(Object.keys(edits).sort());
  });

  it.each([
    ['an enum by number', { status: 2 }],
    ['an enum at zero by name', { status: 'CHECK_STATUS_UNSPECIFIED' }],
    ['a string at its default', { headSha: '' }],
    ['a number at its default', { headSha: 'abc', number: 0 }],
    ['null', { headSha: null }],
    ['an unknown key', { headSha: 'abc', extra: 1 }],
    ['an array at the top', []],
    ['a string at the top', 'abc'],
  ])('refuses %s', (_, json) => {
    expect(readCanonical(eventSchemas.ChecksReported, json)).toBeUndefined();
  });

  it('reads a list item at its zero value, which the writer keeps', () => {
    const json = { headSha: 'abc', checks: [{}] };
    expect(readCanonical(eventSchemas.ChecksReported, json)).toStrictEqual(fromJson(eventSchemas.ChecksReported, json));
  });

  it('ignores the one key it is told to (the type URL of an Any), and only at the top', () => {
    const url = 'type.googleapis.com/cohort.v1.ChecksReported';
    expect(readCanonical(eventSchemas.ChecksReported, { '@type': url, headSha: 'abc' }, '@type')).toStrictEqual(
      fromJson(eventSchemas.ChecksReported, { headSha: 'abc' }),
    );
    expect(readCanonical(eventSchemas.ChecksReported, { headSha: 'abc', checks: [{ '@type': url }] }, '@type')).toBeUndefined();
  });
});
