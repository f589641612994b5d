import type { AggregateType, Envelope, NewEvent } from '@cohort/contracts';

/** Names one aggregate: its events live together and are versioned together. */
export interface AggregateRef {
  readonly type: AggregateType;
  readonly id: string;
}

export interface AppendOptions {
  /**
   * The version the caller last saw: the append succeeds only if the aggregate
   * is still at it. `0` means the aggregate must not exist yet; `'any'` skips
   * the check (the events are still numbered after whatever is there).
   */
  readonly expectedVersion: number | 'any';
}

export interface AppendResult {
  /** The aggregate's version after the append (1-based count of its events). */
  readonly version: number;
  /** Position in the global log of the last appended event. */
  readonly position: number;
  readonly eventIds: readonly string[];
  /** True when every event was already stored (an idempotent retry); nothing new was written. */
  readonly duplicate?: boolean;
}

export interface ReadOptions {
  /** First version to return. @default 1 */
  readonly fromVersion?: number;
}

export interface ReadResult {
  readonly events: readonly Envelope[];
  /** The aggregate's current version (0 when it has no events). */
  readonly version: number;
}

export interface SubscribeOptions {
  /**
   * Position of the last event already handled: delivery starts right after
   * it. `0` starts at the beginning of the log.
   */
  readonly fromPosition: number;
  /** Only events of this aggregate type (and, if given, this aggregate). @default every event */
  readonly filter?: { readonly aggregateType: AggregateType; readonly aggregateId?: string };
}

export interface StoredEvent {
  readonly envelope: Envelope;
  readonly position: number;
}

/** Events in log order, for in-order consumers such as projections. */
export interface EventSubscription extends AsyncIterable<StoredEvent> {
  close(): Promise<void>;
}

/**
 * The event log, the source of truth. Durable, service-style consumption
 * (ack/nak, dead letters) lives in @cohort/messaging; this port covers
 * writing with optimistic concurrency and reading in order.
 */
export interface EventStore {
  append(aggregate: AggregateRef, events: readonly NewEvent[], options: AppendOptions): Promise<AppendResult>;
  read(aggregate: AggregateRef, options?: ReadOptions): Promise<ReadResult>;
  subscribe(options: SubscribeOptions): EventSubscription;
  /** Position of the last event in the log (0 when empty). */
  position(): Promise<number>;
}
