import { DeliverPolicy, jetstream, type ConsumerMessages } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/transport-node';
import { decodeEnvelope, type Topology } from '@cohort/contracts';
import type { FeedItem, UnknownEvent } from '../project/feed-item.js';

export interface EventFeedOptions {
  readonly nc: NatsConnection;
  readonly topology: Topology;
  /** Position of the last event already applied; delivery starts after it. */
  readonly fromPosition: number;
  /**
   * Events read ahead of the projector; reading pauses while this many wait.
   * @default 4000
   */
  readonly bufferSize?: number;
}

/**
 * The events stream in log order through an ordered consumer, read ahead into
 * a bounded buffer. Unlike the event store's subscription it never stops at an
 * event it cannot decode: such an event comes through as an UnknownEvent.
 */
export class EventFeed {
  private readonly buffer: FeedItem[] = [];
  private head = 0;
  private readonly bufferSize: number;
  private messages: ConsumerMessages | undefined;
  private closed = false;
  private failure: unknown;
  private wakeReader: (() => void) | undefined;
  private wakeTaker: (() => void) | undefined;
  private readonly done: Promise<void>;

  constructor(private readonly options: EventFeedOptions) {
    this.bufferSize = options.bufferSize ?? 4000;
    this.done = this.read().catch((error: unknown) => {
      this.failure = error;
      this.wakeTaker?.();
    });
  }

  /** Events waiting to be taken. */
  get buffered(): number {
    return this.buffer.length - this.head;
  }

  /** The next item without taking it, or undefined when none is buffered. */
  peek(): FeedItem | undefined {
    return this.buffer[this.head];
  }

  /** Takes up to `max` buffered items (none when the buffer is empty). Throws once reading failed. */
  take(max: number, upTo = Number.POSITIVE_INFINITY): FeedItem[] {
    if (this.failure !== undefined && this.buffered === 0) throw this.failure;
    const out: FeedItem[] = [];
    while (out.length < max && this.head < this.buffer.length && this.buffer[this.head]!.position <= upTo) {
      out.push(this.buffer[this.head++]!);
    }
    if (this.head > 4096 && this.head * 2 > this.buffer.length) {
      this.buffer.splice(0, this.head);
      this.head = 0;
    }
    if (this.buffered < this.bufferSize) this.wakeReader?.();
    return out;
  }

  /** Resolves when at least `count` items are buffered, the timeout passes, or reading failed. One waiter at a time. */
  async waitFor(count: number, timeoutMs: number): Promise<void> {
    const ready = () => this.buffered >= count || this.failure !== undefined || this.closed;
    if (ready()) return;
    await new Promise<void>((resolve) => {
      const finish = () => {
        clearTimeout(timer);
        this.wakeTaker = undefined;
        resolve();
      };
      const timer = setTimeout(finish, timeoutMs);
      this.wakeTaker = () => {
        if (ready()) finish();
      };
    });
  }

  async close(): Promise<void> {
    this.closed = true;
    this.wakeReader?.();
    this.wakeTaker?.();
    await this.messages?.close().catch(() => undefined);
    await this.done;
  }

  private async read(): Promise<void> {
    const { nc, topology, fromPosition } = this.options;
    const consumer = await jetstream(nc).consumers.get(topology.streams.events, {
      filter_subjects: topology.allEvents,
      deliver_policy: DeliverPolicy.StartSequence,
      opt_start_seq: fromPosition + 1,
    });
    try {
      if (this.closed) return;
      this.messages = await consumer.consume({ max_messages: 2000 });
      let sinceYield = 0;
      for await (const m of this.messages) {
        if (this.closed) break;
        this.buffer.push({ position: m.seq, event: decode(m.data, m.subject) });
        this.wakeTaker?.();
        // A pull delivers thousands of messages without giving I/O a turn; decoding them all at once
        // would hold up the replies of the Postgres round trips the batch being written waits for.
        if (++sinceYield >= YIELD_EVERY) {
          sinceYield = 0;
          await new Promise((resolve) => setImmediate(resolve));
        }
        while (this.buffered >= this.bufferSize && !this.closed) {
          await new Promise<void>((resolve) => (this.wakeReader = resolve));
          this.wakeReader = undefined;
        }
      }
      if (!this.closed) throw new Error(`reading ${topology.streams.events} stopped unexpectedly`);
    } finally {
      consumer.delete().catch(() => undefined);
    }
  }
}

const YIELD_EVERY = 200;

function decode(data: Uint8Array, subject: string): FeedItem['event'] {
  const decoded = decodeEnvelope(data);
  if (decoded.ok) return decoded.value;
  return unknownEvent(data, subject, decoded.error.message);
}

function unknownEvent(data: Uint8Array, subject: string, reason: string): UnknownEvent {
  let raw: Record<string, unknown> = {};
  try {
    const parsed: unknown = JSON.parse(new TextDecoder().decode(data));
    if (parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed)) raw = parsed as Record<string, unknown>;
  } catch {
    // Not JSON at all: the subject still says which aggregate it was about.
  }
  const tokens = subject.split('.');
  const text = (value: unknown, fallback: string) => (typeof value === 'string' && value !== '' ? value : fallback);
  const occurredAt = typeof raw.occurredAt === 'string' && !Number.isNaN(Date.parse(raw.occurredAt)) ? raw.occurredAt : null;
  return {
    unknown: true,
    type: text(raw.type, 'Unknown'),
    id: text(raw.id, ''),
    aggregateType: text(raw.aggregateType, tokens[2] ?? ''),
    aggregateId: text(raw.aggregateId, tokens[3] ?? ''),
    version: typeof raw.version === 'number' && Number.isInteger(raw.version) ? raw.version : 0,
    occurredAt,
    data: raw.data ?? null,
    reason,
  };
}
