export type {
  AggregateRef,
  AppendOptions,
  AppendResult,
  EventStore,
  EventSubscription,
  ReadOptions,
  ReadResult,
  StoredEvent,
  SubscribeOptions,
} from './event-store.js';
export { WrongExpectedVersion } from './wrong-expected-version.js';
export { StoreUnavailable } from './store-unavailable.js';
export { UndecodableEvent } from './undecodable-event.js';
export { JetStreamEventStore, type JetStreamEventStoreOptions } from './jetstream/jetstream-event-store.js';
export { ensureEventStream, DEFAULT_DUPLICATE_WINDOW_MS, type EventStreamOptions } from './jetstream/ensure-event-stream.js';
export { connectEventLog } from './jetstream/connect-event-log.js';
export { JetStreamPublisher } from './jetstream/jetstream-publisher.js';
export { KurrentDbEventStore, type KurrentDbEventStoreOptions } from './kurrentdb/kurrentdb-event-store.js';
export { eventIdFor } from './event-id-for.js';
