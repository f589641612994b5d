import type { PackedItems } from './feed-transfer.js';
import type { RawEvents } from './raw-events.js';

/** Where a reader puts what it reads: messages in log order, or the failure that ended reading. */
export interface FeedSink {
  /** Messages not yet decoded: the feed decodes them when they are taken. */
  deliver(raw: RawEvents): void;
  /** Events a reading thread decoded, unpacked when they are taken. */
  deliverPacked(packed: PackedItems): void;
  fail(error: unknown): void;
}

/** Reads the events stream into a FeedSink, keeping at most a bufferful delivered and not yet taken. */
export interface FeedReader {
  /** The sink's owner took `count` messages: room for that many more. */
  taken(count: number): void;
  close(): Promise<void>;
}

/** Where reading starts and how far ahead it may go. */
export interface FeedStart {
  /** The events stream, and the subjects of its events. */
  readonly stream: string;
  readonly subjects: string;
  /** Position of the last event already applied; delivery starts after it. */
  readonly fromPosition: number;
  /** Messages delivered and not yet taken before reading pauses. */
  readonly bufferSize: number;
}
