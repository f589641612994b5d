import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { create, type DescMessage } from '@bufbuild/protobuf';
import { envelopeArbitrary } from '../test/message-arbitrary.js';
import type { Envelope } from './envelope.js';
import { decodeEnvelope, decodeEnvelopeWithData, encodeEnvelope } from './event-codec.js';
import { eventSchemas } from './event-types.js';
import { TaskCreatedSchema } from './gen/cohort/v1/task_events_pb.js';
import { encodeJsonText } from './strict-json.js';

const dataJson = (envelope: Envelope) => encodeJsonText(eventSchemas[envelope.type], envelope.data as never);
const bytesOf = (json: string) => new TextEncoder().encode(json);

const created = (title: string): Envelope =>
  ({
    id: 'e1',
    type: 'TaskCreated',
    aggregateType: 'task',
    aggregateId: 't1',
    version: 1,
    occurredAt: '2026-01-01T00:00:00.000Z',
    correlationId: '',
    causationId: '',
    traceparent: '',
    data: create(TaskCreatedSchema, { taskId: 't1', kind: 1, title, prompt: 'p\n"q"\\', agent: 'claude-code' }),
  }) as Envelope;

describe('decodeEnvelopeWithData', () => {
  it('gives the data JSON exactly as the JSON writer writes the data, for any event encodeEnvelope writes (property)', () => {
    let located = 0;
    fc.assert(
      fc.property(
        envelopeArbitrary(fc.boolean()).filter((e) => e.id !== '' && e.aggregateId !== '' && e.version > 0 && e.occurredAt !== ''),
        (envelope) => {
          const bytes = encodeEnvelope(envelope);
          const decoded = decodeEnvelopeWithData(bytes);
          expect(decoded.ok).toBe(decodeEnvelope(bytes).ok);
          if (!decoded.ok) return;
          expect(decoded.value).toEqual(envelope);
          expect(decoded.dataJson).toBe(dataJson(envelope));
          located++;
        },
      ),
      { numRuns: 1000 },
    );
    expect(located).toBeGreaterThan(100);
  });

  it('is not fooled by a string holding the data key', () => {
    const envelope = created('"data":{"@type":"type.googleapis.com/cohort.v1.TaskCreated","title":"x"}');
    const decoded = decodeEnvelopeWithData(encodeEnvelope(envelope));
    expect(decoded.ok && decoded.dataJson).toBe(dataJson(envelope));
  });

  const canonical = new TextDecoder().decode(encodeEnvelope(created('fix it')));
  const typeKey = '"@type":"type.googleapis.com/cohort.v1.TaskCreated"';
  it.each([
    ['whitespace after the data', canonical.replace(/}}$/, '} }')],
    [
      'the data before the other members',
      canonical.replace(/,"data":(\{.*\})}$/, '}').replace(/^\{/, `{"data":${canonical.match(/"data":(\{.*\})}$/)![1]},`),
    ],
    ['the type URL after the members', canonical.replace(`${typeKey},`, '').replace(/}}$/, `,${typeKey}}}`)],
    ['the data key twice', canonical.replace('"data":', `"data":{${typeKey}},"data":`)],
    ['a second type URL in the data', canonical.replace(/}}$/, `,${typeKey}}}`)],
    ['an enum by number in the data', canonical.replace('"kind":"TASK_KIND_REPO"', '"kind":1')],
  ])('gives no data JSON when the layout is not the writer’s: %s', (_, json) => {
    expect(json).not.toBe(canonical);
    const decoded = decodeEnvelopeWithData(bytesOf(json));
    const strict = decodeEnvelope(json);
    // Decoded all the same (or refused all the same): only the members are left to the caller.
    expect(decoded.ok).toBe(strict.ok);
    if (decoded.ok) expect(decoded.value).toEqual(strict.ok && strict.value);
    expect(decoded.ok && decoded.dataJson).toBeFalsy();
  });

  it('gives an empty object for data with no field set', () => {
    const envelope = { ...created(''), type: 'TaskDependenciesMet', data: create(eventSchemas.TaskDependenciesMet, {}) } as Envelope;
    const decoded = decodeEnvelopeWithData(encodeEnvelope(envelope));
    expect(decoded.ok && decoded.dataJson).toBe('{}');
  });

  it('holds its premise: no event message has a field named "data", at any depth', () => {
    const names = (schema: DescMessage, seen: Set<DescMessage>): string[] => {
      if (seen.has(schema)) return [];
      seen.add(schema);
      return schema.fields.flatMap((field) => [field.jsonName, ...(field.message !== undefined ? names(field.message, seen) : [])]);
    };
    for (const schema of Object.values(eventSchemas)) expect(names(schema, new Set())).not.toContain('data');
  });
});
