import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { create } from '@bufbuild/protobuf';
import { decodeEnvelope, encodeEnvelope, encodeEnvelopeCanonical } from './event-codec.js';
import type { Envelope } from './envelope.js';
import { TaskCreatedSchema } from './gen/cohort/v1/task_events_pb.js';
import { TaskKind, TaskSourceKind } from './gen/cohort/v1/common_pb.js';

function taskCreated(overrides: Partial<Envelope> = {}): Envelope {
  return {
    id: '0b8f3c1e-5d7a-4d9e-9a51-3f0c2f1d9e01',
    type: 'TaskCreated',
    aggregateType: 'task',
    aggregateId: 't-1',
    version: 1,
    occurredAt: '2026-11-21T10:00:00.000Z',
    correlationId: 'c-1',
    causationId: 'c-1',
    traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01',
    data: create(TaskCreatedSchema, {
      taskId: 't-1',
      kind: TaskKind.REPO,
      title: 'Fix the flaky test',
      agent: 'scripted',
      params: { ticket: '42' },
      source: { kind: TaskSourceKind.MANUAL },
    }),
    ...overrides,
  } as Envelope;
}

function decodeText(text: string) {
  return decodeEnvelope(new TextEncoder().encode(text));
}

describe('event envelope codec', () => {
  it('round-trips an envelope through canonical JSON', () => {
    const envelope = taskCreated();
    const decoded = decodeEnvelope(encodeEnvelope(envelope));
    expect(decoded.ok).toBe(true);
    expect(decoded.ok && decoded.value).toEqual(envelope);
  });

  it('writes the event type into the Any of data so other languages can publish', () => {
    const json = JSON.parse(new TextDecoder().decode(encodeEnvelope(taskCreated())));
    expect(json.data['@type']).toBe('type.googleapis.com/cohort.v1.TaskCreated');
    expect(json.data.kind).toBe('TASK_KIND_REPO');
  });

  it('round-trips any title and params (property)', () => {
    fc.assert(
      fc.property(fc.string({ minLength: 1 }), fc.dictionary(fc.string(), fc.string()), (title, params) => {
        const envelope = taskCreated({
          data: create(TaskCreatedSchema, { taskId: 't-1', kind: TaskKind.REPO, title, agent: 'a', params }),
        } as Partial<Envelope>);
        const decoded = decodeEnvelope(encodeEnvelope(envelope));
        expect(decoded.ok && decoded.value).toEqual(envelope);
      }),
    );
  });

  const base = () => JSON.parse(new TextDecoder().decode(encodeEnvelope(taskCreated())));
  const cases: Array<[string, () => string, string, string | undefined]> = [
    ['malformed JSON', () => '{"id": ', 'malformed_json', undefined],
    ['a JSON array', () => '[]', 'wrong_type', undefined],
    ['an unknown envelope field', () => JSON.stringify({ ...base(), colour: 'red' }), 'unknown_field', 'colour'],
    ['an unknown data field', () => JSON.stringify({ ...base(), data: { ...base().data, colour: 'red' } }), 'unknown_field', 'data.colour'],
    ['a number where a string belongs', () => JSON.stringify({ ...base(), aggregateId: 12 }), 'wrong_type', 'aggregate_id'],
    ['a missing envelope id', () => JSON.stringify({ ...base(), id: undefined }), 'missing_field', 'id'],
    [
      'a missing required data field',
      () => JSON.stringify({ ...base(), data: { ...base().data, title: '' } }),
      'missing_field',
      'data.title',
    ],
    [
      'an unknown event type',
      () => JSON.stringify({ ...base(), type: 'TaskExploded', data: { '@type': 'type.googleapis.com/cohort.v1.TaskExploded' } }),
      'unknown_event_type',
      'data.@type',
    ],
    ['a type that does not match its data', () => JSON.stringify({ ...base(), type: 'TaskCompleted' }), 'type_mismatch', 'type'],
    ['an unknown aggregate type', () => JSON.stringify({ ...base(), aggregateType: 'planet' }), 'wrong_type', 'aggregateType'],
    ['an event under the wrong aggregate', () => JSON.stringify({ ...base(), aggregateType: 'repo' }), 'type_mismatch', 'aggregateType'],
    [
      'an unknown enum value',
      () => JSON.stringify({ ...base(), data: { ...base().data, kind: 'TASK_KIND_BOAT' } }),
      'wrong_type',
      'data.kind',
    ],
  ];
  it.each(cases)('rejects %s with a typed error naming the problem', (_name, input, code, field) => {
    const decoded = decodeText(input());
    expect(decoded.ok).toBe(false);
    if (decoded.ok) return;
    expect(decoded.error.code).toBe(code);
    expect(decoded.error.field).toBe(field);
    expect(decoded.error.message.length).toBeGreaterThan(10);
  });
});

describe('decode errors never repeat the offending value', () => {
  const secret = 'sk-live-0123456789abcdef';
  const base = () => JSON.parse(new TextDecoder().decode(encodeEnvelope(taskCreated())));
  it.each([
    ['a secret where a number belongs', () => JSON.stringify({ ...base(), version: secret })],
    ['a secret as an enum value', () => JSON.stringify({ ...base(), data: { ...base().data, kind: secret } })],
    ['a secret inside broken JSON', () => `{"id": "${secret}", oops}`],
    ['a secret as a nested message', () => JSON.stringify({ ...base(), data: { ...base().data, source: secret } })],
  ])('for %s', (_name, input) => {
    const decoded = decodeText(input());
    expect(decoded.ok).toBe(false);
    expect(!decoded.ok && decoded.error.message).not.toContain(secret);
    expect(!decoded.ok && decoded.error.message).not.toContain('0123456789');
  });
});

describe('the fast envelope writer', () => {
  it('writes exactly what protobuf canonical JSON writes, for any title, params and metadata (property)', () => {
    fc.assert(
      fc.property(
        fc.string({ minLength: 1 }),
        fc.dictionary(fc.string(), fc.string()),
        fc.record({ correlationId: fc.string(), causationId: fc.string(), traceparent: fc.string(), version: fc.nat(1_000_000) }),
        fc.integer({ min: -1000, max: 1000 }),
        (title, params, meta, priority) => {
          const envelope = taskCreated({
            ...meta,
            data: create(TaskCreatedSchema, { taskId: 't-1', kind: TaskKind.REPO, title, agent: 'a', params, priority, dependsOn: ['x'] }),
          } as Partial<Envelope>);
          const fast = JSON.parse(new TextDecoder().decode(encodeEnvelope(envelope)));
          const canonical = JSON.parse(new TextDecoder().decode(encodeEnvelopeCanonical(envelope)));
          expect(fast).toEqual(canonical);
        },
      ),
    );
  });
});
