import {
  BACKWARDS,
  END,
  EventStoreDBClient,
  FORWARDS,
  jsonEvent,
  NO_STREAM,
  START,
  StreamNotFoundError,
  streamNameFilter,
  WrongExpectedVersionError,
  type AppendExpectedRevision,
  type JSONType,
  type Position,
} from '@eventstore/db-client';
import { decodeEnvelope, encodeEnvelope, type AggregateType, type Envelope, type NewEvent } from '@cohort/contracts';
import type {
  AggregateRef,
  AppendOptions,
  AppendResult,
  EventStore,
  EventSubscription,
  ReadOptions,
  ReadResult,
  StoredEvent,
  SubscribeOptions,
} from '../event-store.js';
import { StoreUnavailable } from '../store-unavailable.js';
import { toEnvelope } from '../to-envelope.js';
import { UndecodableEvent } from '../undecodable-event.js';
import { WrongExpectedVersion } from '../wrong-expected-version.js';

export interface KurrentDbEventStoreOptions {
  /** e.g. `esdb://localhost:2113?tls=false` */
  readonly connectionString: string;
  /** @default () => new Date() */
  readonly clock?: () => Date;
}

const AGGREGATE_TYPES: readonly AggregateType[] = ['task', 'repo', 'secret'];
const ANY_VERSION_ATTEMPTS = 20;

/**
 * The event store on KurrentDB (EventStoreDB): stream `<type>-<id>` per
 * aggregate, version = stream revision + 1, position = commit position in
 * `$all`. KurrentDB appends a batch atomically, unlike JetStream 2.9.
 * Positions are commit positions as numbers (exact up to 2^53).
 */
export class KurrentDbEventStore implements EventStore {
  private readonly client: EventStoreDBClient;
  private readonly clock: () => Date;

  constructor(options: KurrentDbEventStoreOptions) {
    this.client = EventStoreDBClient.connectionString(options.connectionString);
    this.clock = options.clock ?? (() => new Date());
  }

  async append(aggregate: AggregateRef, events: readonly NewEvent[], options: AppendOptions): Promise<AppendResult> {
    const { expectedVersion } = options;
    for (let attempt = 1; ; attempt++) {
      // The envelope carries its version, so 'any' still has to know where the stream is.
      const base = expectedVersion === 'any' ? await this.currentVersion(aggregate) : expectedVersion;
      const revision: AppendExpectedRevision = base === 0 ? NO_STREAM : BigInt(base - 1);
      const payload = events.map((event, index) => {
        const envelope = toEnvelope(aggregate, event, base + index + 1, this.clock);
        return jsonEvent({
          id: envelope.id,
          type: envelope.type,
          data: JSON.parse(new TextDecoder().decode(encodeEnvelope(envelope))) as JSONType,
        });
      });
      try {
        const result = await this.client.appendToStream(streamName(aggregate), payload, { expectedRevision: revision });
        return {
          version: Number(result.nextExpectedRevision) + 1,
          position: Number(result.position?.commit ?? 0n),
          eventIds: events.map((e) => e.id),
        };
      } catch (error) {
        if (error instanceof WrongExpectedVersionError) {
          const actual = typeof error.actualVersion === 'bigint' ? Number(error.actualVersion) + 1 : 0;
          if (expectedVersion === 'any' && attempt < ANY_VERSION_ATTEMPTS) continue;
          throw new WrongExpectedVersion(aggregate, expectedVersion, actual);
        }
        throw unavailable(error);
      }
    }
  }

  async read(aggregate: AggregateRef, options: ReadOptions = {}): Promise<ReadResult> {
    const fromVersion = options.fromVersion ?? 1;
    const events: Envelope[] = [];
    try {
      for await (const resolved of this.client.readStream(streamName(aggregate), {
        direction: FORWARDS,
        fromRevision: BigInt(fromVersion - 1),
      })) {
        if (resolved.event) events.push(decode(resolved.event.data, Number(resolved.event.position?.commit ?? 0n)));
      }
    } catch (error) {
      if (error instanceof StreamNotFoundError) return { events: [], version: 0 };
      throw unavailable(error);
    }
    const version = events.length > 0 ? events[events.length - 1]!.version : await this.currentVersion(aggregate);
    return { events, version };
  }

  subscribe(options: SubscribeOptions): EventSubscription {
    const prefixes = options.filter
      ? [
          options.filter.aggregateId === undefined
            ? `${options.filter.aggregateType}-`
            : streamName({ type: options.filter.aggregateType, id: options.filter.aggregateId }),
        ]
      : AGGREGATE_TYPES.map((type) => `${type}-`);
    const fromPosition =
      options.fromPosition === 0
        ? START
        : ({ commit: BigInt(options.fromPosition), prepare: BigInt(options.fromPosition) } satisfies Position);
    const subscription = this.client.subscribeToAll({ fromPosition, filter: streamNameFilter({ prefixes }) });
    const exactStream = options.filter?.aggregateId === undefined ? undefined : prefixes[0];
    async function* iterate(): AsyncGenerator<StoredEvent> {
      for await (const resolved of subscription) {
        const event = resolved.event;
        if (!event || (exactStream !== undefined && event.streamId !== exactStream)) continue;
        const position = Number(event.position?.commit ?? 0n);
        yield { envelope: decode(event.data, position), position };
      }
    }
    const iterator = iterate();
    return { [Symbol.asyncIterator]: () => iterator, close: () => subscription.unsubscribe() };
  }

  async position(): Promise<number> {
    try {
      for await (const resolved of this.client.readAll({ direction: BACKWARDS, fromPosition: END, maxCount: 1 })) {
        return Number(resolved.event?.position?.commit ?? 0n);
      }
      return 0;
    } catch (error) {
      throw unavailable(error);
    }
  }

  async dispose(): Promise<void> {
    await this.client.dispose();
  }

  private async currentVersion(aggregate: AggregateRef): Promise<number> {
    try {
      for await (const resolved of this.client.readStream(streamName(aggregate), {
        direction: BACKWARDS,
        fromRevision: END,
        maxCount: 1,
      })) {
        return Number(resolved.event?.revision ?? -1n) + 1;
      }
      return 0;
    } catch (error) {
      if (error instanceof StreamNotFoundError) return 0;
      throw unavailable(error);
    }
  }
}

function streamName(aggregate: AggregateRef): string {
  return `${aggregate.type}-${aggregate.id}`;
}

function decode(data: unknown, position: number): Envelope {
  const decoded = decodeEnvelope(JSON.stringify(data));
  if (!decoded.ok) throw new UndecodableEvent(position, decoded.error.message);
  return decoded.value;
}

function unavailable(cause: unknown): Error {
  if (cause instanceof WrongExpectedVersion || cause instanceof StoreUnavailable || cause instanceof UndecodableEvent) return cause;
  const reason = cause instanceof Error ? cause.message : String(cause);
  return new StoreUnavailable(`KurrentDB unavailable: ${reason}; the outcome is unknown, retry with the same event ids`, { cause });
}
