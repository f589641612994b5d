import { describe, expect, it } from 'vitest';
import {
  create,
  encodeEnvelope,
  encodeJson,
  Headers,
  TaskCreatedSchema,
  TaskKind,
  TaskRequestedSchema,
  type Envelope,
} from '@cohort/contracts';
import { headers as createHeaders } from '@nats-io/transport-node';
import { envelopeDecoder, inboundDecoder } from './message-decoders.js';

const bytes = (text: string) => new TextEncoder().encode(text);
const decodeInbound = inboundDecoder({ 'task.requested': TaskRequestedSchema });

describe('envelope decoder', () => {
  it('routes by event type and takes trace fields from the envelope', () => {
    const envelope = {
      id: 'e-1',
      type: 'TaskCreated',
      aggregateType: 'task',
      aggregateId: 't-1',
      version: 1,
      occurredAt: '2026-11-21T10:00:00.000Z',
      correlationId: 'c-1',
      causationId: 'k-1',
      traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01',
      data: create(TaskCreatedSchema, { taskId: 't-1', kind: TaskKind.STANDALONE, title: 'x', agent: 'scripted' }),
    } as Envelope;
    const decoded = envelopeDecoder({ subject: 'cohort.evt.task.t-1', data: encodeEnvelope(envelope) });
    expect(decoded.ok && { ...decoded.value, data: undefined }).toEqual({
      pattern: 'TaskCreated',
      data: undefined,
      messageId: 'e-1',
      correlationId: 'c-1',
      causationId: 'k-1',
      traceparent: envelope.traceparent,
    });
  });

  it('names the field of a data error', () => {
    const decoded = envelopeDecoder({ subject: 'cohort.evt.task.t-1', data: bytes('{"data": 1}') });
    expect(decoded.ok).toBe(false);
    expect(!decoded.ok && decoded.error.field).toBe('data');
  });
});

describe('inbound decoder', () => {
  it('decodes a known kind with its schema, routes by message name and reads trace fields from headers', () => {
    const message = create(TaskRequestedSchema, { requestId: 'r-1', task: { kind: TaskKind.STANDALONE, title: 'Triage' } });
    const hdrs = createHeaders();
    hdrs.set(Headers.msgId, 'r-1');
    hdrs.set(Headers.correlationId, 'c-9');
    const decoded = decodeInbound({ subject: 'cohort.in.task.requested', data: encodeJson(TaskRequestedSchema, message), headers: hdrs });
    expect(decoded).toEqual({
      ok: true,
      value: { pattern: 'TaskRequested', data: message, messageId: 'r-1', correlationId: 'c-9', causationId: '', traceparent: '' },
    });
  });

  it('rejects an unknown kind, listing the known ones', () => {
    const decoded = decodeInbound({ subject: 'cohort.in.github.push', data: bytes('{}') });
    expect(!decoded.ok && decoded.error.code).toBe('unknown_event_type');
    expect(!decoded.ok && decoded.error.message).toBe('unknown inbound message kind "github.push"; known kinds: task.requested');
  });

  it('does not treat inherited object keys as kinds', () => {
    const decoded = decodeInbound({ subject: 'cohort.in.constructor.toString', data: bytes('{}') });
    expect(!decoded.ok && decoded.error.code).toBe('unknown_event_type');
  });

  it('names the missing required field', () => {
    const decoded = decodeInbound({ subject: 'cohort.in.task.requested', data: bytes('{"requestId": "r-1"}') });
    expect(!decoded.ok && decoded.error).toMatchObject({ code: 'missing_field', field: 'task' });
  });
});
