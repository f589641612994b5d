import {
  DeliverPolicy,
  jetstream,
  type ConsumerMessages,
  jetstreamManager,
  JetStreamApiError,
  type JetStreamClient,
  type JetStreamManager,
  type PubAck,
} from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/transport-node';
import { decodeEnvelope, encodeEnvelope, type Envelope, type NewEvent, type Topology } from '@cohort/contracts';
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
import { LruCache } from '../lru-cache.js';
import { StoreUnavailable } from '../store-unavailable.js';
import { toEnvelope } from '../to-envelope.js';
import { UndecodableEvent } from '../undecodable-event.js';
import { WrongExpectedVersion } from '../wrong-expected-version.js';
import { eventHeaders, versionOf } from './event-headers.js';
import { JetStreamPublisher } from './jetstream-publisher.js';

export interface JetStreamEventStoreOptions {
  readonly nc: NatsConnection;
  readonly topology: Topology;
  /**
   * Aggregates whose head (version and stream sequence) is remembered, so an
   * append needs no look-up when this process wrote or read the aggregate last.
   * @default 10_000
   */
  readonly headCacheSize?: number;
  /**
   * Aggregates whose events are remembered after a read: reading one again
   * costs a head look-up, plus a read of only the events stored since. Events
   * never change, and the head is always asked of the server, so a read is as
   * fresh as without the cache.
   * @default 1_000
   */
  readonly historyCacheSize?: number;
  /**
   * How long one publish or look-up waits for the server before the operation
   * fails with StoreUnavailable.
   * @default 5_000
   */
  readonly timeoutMs?: number;
  /** @default () => new Date() */
  readonly clock?: () => Date;
}

interface SubscriptionState {
  closed: boolean;
  messages?: ConsumerMessages;
}

interface Head {
  readonly version: number;
  /** Stream sequence of the aggregate's last message; 0 when it has none. */
  readonly seq: number;
}

/** An aggregate's events up to `head`, versions 1 … head.version in order. */
interface History {
  readonly events: readonly Envelope[];
  readonly head: Head;
}

const WRONG_LAST_SEQUENCE = 10071;
const EMPTY: Head = { version: 0, seq: 0 };
/** Appends with expectedVersion 'any' re-number and retry this often under contention. */
const ANY_VERSION_ATTEMPTS = 20;

/**
 * The event store on JetStream: one message per event on
 * `<ns>.evt.<type>.<id>`, optimistic concurrency through
 * Nats-Expected-Last-Subject-Sequence, idempotency through Nats-Msg-Id.
 */
export class JetStreamEventStore implements EventStore {
  private readonly nc: NatsConnection;
  private readonly topology: Topology;
  private readonly stream: string;
  private readonly js: JetStreamClient;
  private readonly publisher: JetStreamPublisher;
  private readonly heads: LruCache<string, Head>;
  private readonly histories: LruCache<string, History>;
  private readonly timeoutMs: number;
  private readonly clock: () => Date;

  private constructor(
    options: JetStreamEventStoreOptions,
    private readonly jsm: JetStreamManager,
  ) {
    this.nc = options.nc;
    this.topology = options.topology;
    this.stream = options.topology.streams.events;
    this.timeoutMs = options.timeoutMs ?? 5_000;
    this.js = jetstream(options.nc, { timeout: this.timeoutMs });
    this.publisher = JetStreamPublisher.of(options.nc);
    this.heads = new LruCache(options.headCacheSize ?? 10_000);
    this.histories = new LruCache(options.historyCacheSize ?? 1_000);
    this.clock = options.clock ?? (() => new Date());
  }

  /** Does not create the stream: call ensureEventStream() once at start-up. */
  static async create(options: JetStreamEventStoreOptions): Promise<JetStreamEventStore> {
    const jsm = await jetstreamManager(options.nc, { timeout: options.timeoutMs ?? 5_000 });
    return new JetStreamEventStore(options, jsm);
  }

  async append(aggregate: AggregateRef, events: readonly NewEvent[], options: AppendOptions): Promise<AppendResult> {
    const subject = this.topology.event(aggregate.type, aggregate.id);
    const key = subject;
    const { expectedVersion } = options;
    if (expectedVersion !== 'any' && (!Number.isSafeInteger(expectedVersion) || expectedVersion < 0)) {
      throw new RangeError(`expectedVersion must be a non-negative integer or 'any', got ${String(expectedVersion)}`);
    }
    if (events.length === 0) {
      const head = await this.fetchHead(subject);
      if (expectedVersion !== 'any' && head.version !== expectedVersion)
        throw new WrongExpectedVersion(aggregate, expectedVersion, head.version);
      return { version: head.version, position: head.seq, eventIds: [] };
    }

    if (expectedVersion === 'any') {
      for (let attempt = 1; ; attempt++) {
        const head = this.heads.get(key) ?? (await this.fetchHead(subject));
        try {
          return await this.publishAll(aggregate, subject, events, head, 'any');
        } catch (error) {
          if (!(error instanceof WrongExpectedVersion) || attempt >= ANY_VERSION_ATTEMPTS) throw error;
          this.heads.delete(key);
        }
      }
    }

    let head: Head;
    if (expectedVersion === 0) {
      head = EMPTY;
    } else {
      const cached = this.heads.get(key);
      // Versions only grow, so a cached head at the expected version is probably
      // current; anything else needs the truth from the server.
      head = cached?.version === expectedVersion ? cached : await this.fetchHead(subject);
      if (head.version !== expectedVersion) throw new WrongExpectedVersion(aggregate, expectedVersion, head.version);
    }
    return this.publishAll(aggregate, subject, events, head, expectedVersion);
  }

  async read(aggregate: AggregateRef, options: ReadOptions = {}): Promise<ReadResult> {
    const subject = this.topology.event(aggregate.type, aggregate.id);
    const fromVersion = options.fromVersion ?? 1;
    const head = await this.fetchHead(subject);
    if (head.version < fromVersion) return { events: [], version: head.version };
    const history = await this.historyAt(subject, head);
    const events = fromVersion <= 1 ? history.events : history.events.filter((event) => event.version >= fromVersion);
    return { events, version: head.version };
  }

  /** The aggregate's events up to `head`: the remembered ones, and those stored after them read from the stream. */
  private async historyAt(subject: string, head: Head): Promise<History> {
    const known = this.histories.get(subject);
    if (known?.head.seq === head.seq && known.head.version === head.version) return known;
    const base = known && known.head.seq < head.seq ? known : undefined;
    const after = await this.readStored(subject, base?.head.seq ?? 0, head.seq);
    let events = base ? [...base.events, ...after] : after;
    // Versions run 1, 2, 3 … in stream order; anything else (a stream restored
    // from a backup under the cache) means the remembered part cannot be trusted.
    if (base && !numberedFromOne(events)) events = await this.readStored(subject, 0, head.seq);
    const history = { events: Object.freeze(events), head };
    this.histories.set(subject, history);
    return history;
  }

  /** Events on `subject` stored after sequence `afterSeq`, up to and including `lastSeq`. */
  private async readStored(subject: string, afterSeq: number, lastSeq: number): Promise<Envelope[]> {
    const events: Envelope[] = [];
    await this.guard(`reading ${subject}`, async () => {
      const consumer = await this.js.consumers.get(this.stream, {
        filter_subjects: subject,
        ...(afterSeq === 0
          ? { deliver_policy: DeliverPolicy.All }
          : { deliver_policy: DeliverPolicy.StartSequence, opt_start_seq: afterSeq + 1 }),
      });
      const messages = await consumer.consume({ max_messages: 1_000 });
      try {
        for await (const m of messages) {
          // Stop at the head looked up by the caller, so the events and the version agree.
          if (m.seq > lastSeq) break;
          events.push(this.decode(m.data, m.seq));
          if (m.seq >= lastSeq || m.info.pending === 0) break;
        }
      } finally {
        void messages.close();
        consumer.delete().catch(() => undefined);
      }
    });
    return events;
  }

  subscribe(options: SubscribeOptions): EventSubscription {
    const filter = options.filter
      ? options.filter.aggregateId === undefined
        ? this.topology.eventsOf(options.filter.aggregateType)
        : this.topology.event(options.filter.aggregateType, options.filter.aggregateId)
      : this.topology.allEvents;
    const state: SubscriptionState = { closed: false };
    const iterator = this.deliver(filter, options.fromPosition, state);
    return {
      [Symbol.asyncIterator]: () => iterator,
      close: async () => {
        state.closed = true;
        // Not awaited: the close only settles once the consuming loop drains,
        // which cannot happen while the generator is parked at a yield.
        void state.messages?.close();
        await iterator.return(undefined);
      },
    };
  }

  private async *deliver(filter: string, fromPosition: number, state: SubscriptionState): AsyncGenerator<StoredEvent> {
    const consumer = await this.guard('subscribing to events', () =>
      this.js.consumers.get(this.stream, {
        filter_subjects: filter,
        deliver_policy: DeliverPolicy.StartSequence,
        opt_start_seq: fromPosition + 1,
      }),
    );
    try {
      if (state.closed) return;
      state.messages = await consumer.consume({ max_messages: 1_000 });
      for await (const m of state.messages) {
        yield { envelope: this.decode(m.data, m.seq), position: m.seq };
      }
    } finally {
      consumer.delete().catch(() => undefined);
    }
  }

  async position(): Promise<number> {
    return this.guard('reading the events stream position', async () => (await this.jsm.streams.info(this.stream)).state.last_seq);
  }

  private async publishAll(
    aggregate: AggregateRef,
    subject: string,
    events: readonly NewEvent[],
    start: Head,
    expected: number | 'any',
  ): Promise<AppendResult> {
    // JetStream 2.9 has no atomic batch: each event is its own publish expecting
    // the previous one's sequence, so a failure mid-way leaves a stored prefix.
    // Retrying the same append completes it, because the prefix dedupes by id
    // (dedupe is checked before the expected sequence).
    let head = start;
    let allDuplicates = true;
    for (const [index, event] of events.entries()) {
      const envelope = toEnvelope(aggregate, event, head.version + 1, this.clock);
      let ack = await this.publishOne(aggregate, subject, envelope, head, expected, index === 0);
      if (ack === 'stale-cache') {
        head = await this.fetchHead(subject);
        ack = await this.publishOne(aggregate, subject, toEnvelope(aggregate, event, head.version + 1, this.clock), head, expected, false);
        if (ack === 'stale-cache') throw new WrongExpectedVersion(aggregate, expected, head.version);
      }
      if (ack.duplicate) {
        head = { version: await this.versionAt(ack.seq), seq: ack.seq };
      } else {
        allDuplicates = false;
        head = { version: head.version + 1, seq: ack.seq };
      }
    }
    if (!allDuplicates) this.heads.set(subject, head);
    return { version: head.version, position: head.seq, eventIds: events.map((e) => e.id), ...(allDuplicates ? { duplicate: true } : {}) };
  }

  private async publishOne(
    aggregate: AggregateRef,
    subject: string,
    envelope: Envelope,
    head: Head,
    expected: number | 'any',
    mayRetryStaleCache: boolean,
  ): Promise<PubAck | 'stale-cache'> {
    // Outside the try: an envelope that cannot be written is the caller's error, not an outage.
    const body = encodeEnvelope(envelope);
    const headers = eventHeaders(envelope, head.seq);
    try {
      return await this.publisher.publish(subject, body, headers, this.timeoutMs);
    } catch (error) {
      if (error instanceof JetStreamApiError && error.code === WRONG_LAST_SEQUENCE) {
        this.heads.delete(subject);
        const actual = await this.fetchHead(subject);
        // The cache held the right version but an old sequence (e.g. the stream
        // was restored): one retry with the true sequence.
        if (mayRetryStaleCache && actual.version === head.version && actual.seq !== head.seq) return 'stale-cache';
        throw new WrongExpectedVersion(aggregate, expected, actual.version);
      }
      // The outcome is unknown: forget the head so the next append asks the server.
      this.heads.delete(subject);
      throw unavailable(`appending to ${subject}`, error);
    }
  }

  private async fetchHead(subject: string): Promise<Head> {
    const last = await this.guard(`looking up the last event of ${subject}`, () =>
      this.jsm.streams.getMessage(this.stream, { last_by_subj: subject }),
    );
    if (!last) {
      this.heads.set(subject, EMPTY);
      return EMPTY;
    }
    const version = versionOf(last.header) ?? this.decode(last.data, last.seq).version;
    const head = { version, seq: last.seq };
    this.heads.set(subject, head);
    return head;
  }

  private async versionAt(seq: number): Promise<number> {
    const stored = await this.guard(`looking up event at ${seq}`, () => this.jsm.streams.getMessage(this.stream, { seq }));
    if (!stored) throw new Error(`event at position ${seq} acknowledged as a duplicate is gone from ${this.stream}`);
    return versionOf(stored.header) ?? this.decode(stored.data, seq).version;
  }

  private decode(data: Uint8Array, seq: number): Envelope {
    const decoded = decodeEnvelope(data);
    if (!decoded.ok) throw new UndecodableEvent(seq, decoded.error.message);
    return decoded.value;
  }

  private async guard<T>(what: string, operation: () => Promise<T>): Promise<T> {
    try {
      return await operation();
    } catch (error) {
      if (error instanceof JetStreamApiError || error instanceof UndecodableEvent) throw error;
      throw unavailable(what, error);
    }
  }

  /** The connection this store writes through, for callers that manage its lifetime. */
  get connection(): NatsConnection {
    return this.nc;
  }
}

function unavailable(what: string, cause: unknown): StoreUnavailable {
  const reason = cause instanceof Error ? cause.message : String(cause);
  return new StoreUnavailable(`event store unavailable while ${what}: ${reason}; the outcome is unknown, retry with the same event ids`, {
    cause,
  });
}

function numberedFromOne(events: readonly Envelope[]): boolean {
  return events.every((event, index) => event.version === index + 1);
}
