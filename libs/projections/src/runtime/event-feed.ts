import type { NatsConnection } from '@nats-io/transport-node';
import type { Topology } from '@cohort/contracts';
import type { FeedItem } from '../project/feed-item.js';
import { decodeRawEvents } from './decode-raw-events.js';
import type { FeedReader, FeedSink } from './feed-reader.js';
import { InProcessReader } from './in-process-reader.js';
import { unpackItems } from './feed-transfer.js';
import type { ReaderThread } from './reader-thread.js';

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
  /** Reads and decodes on this thread (with its own connection) instead of on this one through `nc`. */
  readonly thread?: ReaderThread;
}

/** Events delivered together, decoded (or unpacked) when the first of them is taken. */
interface Segment {
  readonly positions: Float64Array;
  readonly decode: () => FeedItem[];
  items: FeedItem[] | undefined;
  /** How many of them were taken. */
  next: number;
}

/**
 * The events stream in log order through an ordered consumer, read ahead into
 * a bounded buffer. Unlike the event store's subscription it never stops at an
 * event it cannot decode: such an event comes through as an UnknownEvent.
 *
 * Events are decoded as they are taken, not as they arrive: objects made just
 * before they are folded mostly die young, which costs the GC far less than
 * a bufferful of decoded events kept waiting.
 */
export class EventFeed {
  private readonly segments: (Segment | undefined)[] = [];
  private head = 0;
  private count = 0;
  private readonly reader: FeedReader;
  private closed = false;
  private failure: unknown;
  private wakeTaker: (() => void) | undefined;

  constructor(options: EventFeedOptions) {
    const start = {
      stream: options.topology.streams.events,
      subjects: options.topology.allEvents,
      fromPosition: options.fromPosition,
      bufferSize: options.bufferSize ?? 4000,
    };
    const sink: FeedSink = {
      deliver: (raw) => this.add(raw.positions, () => decodeRawEvents(raw)),
      deliverPacked: (packed) => this.add(packed.positions, () => unpackItems(packed)),
      fail: (error) => {
        this.failure ??= error;
        this.wakeTaker?.();
      },
    };
    this.reader = options.thread ? options.thread.open(start, sink) : new InProcessReader(options.nc, start, sink);
  }

  /** Events waiting to be taken. */
  get buffered(): number {
    return this.count;
  }

  /** Position of the next event, or undefined when none is buffered. */
  nextPosition(): number | undefined {
    const segment = this.segments[this.head];
    return segment === undefined ? undefined : segment.positions[segment.next];
  }

  /** Takes up to `max` buffered events at or below `upTo` (none when the buffer is empty). Throws once reading failed. */
  take(max: number, upTo = Number.POSITIVE_INFINITY): FeedItem[] {
    if (this.failure !== undefined && this.count === 0) throw this.failure;
    const out: FeedItem[] = [];
    while (out.length < max) {
      const segment = this.segments[this.head];
      if (segment === undefined) break;
      const { positions } = segment;
      if (positions[segment.next]! > upTo) break;
      const items = (segment.items ??= segment.decode());
      while (out.length < max && segment.next < items.length && positions[segment.next]! <= upTo) out.push(items[segment.next++]!);
      if (segment.next < items.length) break;
      this.segments[this.head++] = undefined;
    }
    if (this.head > 1024 && this.head * 2 > this.segments.length) {
      this.segments.splice(0, this.head);
      this.head = 0;
    }
    this.count -= out.length;
    this.reader.taken(out.length);
    return out;
  }

  /** Resolves when at least `count` events are buffered, the timeout passes, or reading failed. One waiter at a time. */
  async waitFor(count: number, timeoutMs: number): Promise<void> {
    const ready = () => this.count >= count || this.failure !== undefined || this.closed;
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
    this.wakeTaker?.();
    await this.reader.close();
  }

  private add(positions: Float64Array, decode: () => FeedItem[]): void {
    if (positions.length === 0) return;
    this.segments.push({ positions, decode, items: undefined, next: 0 });
    this.count += positions.length;
    this.wakeTaker?.();
  }
}
