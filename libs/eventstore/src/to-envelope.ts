import type { Envelope, NewEvent } from '@cohort/contracts';
import type { AggregateRef } from './event-store.js';

/**
 * Completes a new event with what the store assigns. Missing correlation and
 * causation ids default to the event's own id: an event nobody caused starts
 * its own conversation.
 */
export function toEnvelope(aggregate: AggregateRef, event: NewEvent, version: number, now: () => Date): Envelope {
  return {
    ...event,
    aggregateType: aggregate.type,
    aggregateId: aggregate.id,
    version,
    occurredAt: event.occurredAt ?? now().toISOString(),
    correlationId: event.correlationId ?? event.id,
    causationId: event.causationId ?? event.id,
    traceparent: event.traceparent ?? '',
  } as Envelope;
}
