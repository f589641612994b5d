import { describe, expect, it } from 'vitest';
import { toEnvelope } from './to-envelope.js';
import { priorityChanged } from './testing/sample-events.js';

const now = () => new Date('2026-11-21T10:00:00.000Z');

describe('toEnvelope', () => {
  it('assigns aggregate, version and time, and starts a conversation when nothing caused the event', () => {
    const event = priorityChanged(3, 'e-1');
    const envelope = toEnvelope({ type: 'task', id: 't-1' }, event, 4, now);
    expect(envelope).toMatchObject({
      id: 'e-1',
      type: 'TaskPriorityChanged',
      aggregateType: 'task',
      aggregateId: 't-1',
      version: 4,
      occurredAt: '2026-11-21T10:00:00.000Z',
      correlationId: 'e-1',
      causationId: 'e-1',
      traceparent: '',
    });
  });

  it('keeps the metadata the caller gave', () => {
    const event = {
      ...priorityChanged(3, 'e-2'),
      occurredAt: '2026-01-01T00:00:00.000Z',
      correlationId: 'c',
      causationId: 'k',
      traceparent: 'tp',
    };
    expect(toEnvelope({ type: 'task', id: 't-1' }, event, 1, now)).toMatchObject({
      occurredAt: '2026-01-01T00:00:00.000Z',
      correlationId: 'c',
      causationId: 'k',
      traceparent: 'tp',
    });
  });
});
