import type { AggregateType } from './topology.js';
import type { CohortEvent, EventType, EventOf } from './event-types.js';

/** What every event carries besides its type and data. */
export interface EventMetadata {
  /** Unique id (UUID); also the NATS message id, which makes publishing idempotent. */
  readonly id: string;
  readonly aggregateType: AggregateType;
  readonly aggregateId: string;
  /** 1-based position within the aggregate. */
  readonly version: number;
  /** RFC 3339, UTC. */
  readonly occurredAt: string;
  readonly correlationId: string;
  readonly causationId: string;
  /** W3C trace context (`00-<trace>-<span>-<flags>`), empty when untraced. */
  readonly traceparent: string;
}

/** An event with its metadata, as stored and as delivered to consumers. */
export type Envelope<E extends { readonly type: EventType } = CohortEvent> = E & EventMetadata;

export type EnvelopeOf<T extends EventType> = Envelope<EventOf<T>>;

/** An event about to be appended: the store assigns version and aggregate. */
export type NewEvent<E extends { readonly type: EventType } = CohortEvent> = E & {
  readonly id: string;
  readonly occurredAt?: string;
  readonly correlationId?: string;
  readonly causationId?: string;
  readonly traceparent?: string;
};
