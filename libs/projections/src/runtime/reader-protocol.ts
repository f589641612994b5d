import type { FeedStart } from './feed-reader.js';
import type { PackedItems } from './feed-transfer.js';

/** What the reading thread is started with. */
export interface ReaderThreadData {
  readonly servers: readonly string[];
  /** Connection name, as NATS monitoring shows it. */
  readonly name: string;
}

/** Messages to the reading thread. */
export type ToReader =
  | ({ readonly type: 'open'; readonly feed: number } & FeedStart)
  | { readonly type: 'taken'; readonly feed: number; readonly count: number }
  | { readonly type: 'close'; readonly feed: number };

/** Messages from the reading thread. */
export type FromReader =
  | { readonly type: 'events'; readonly feed: number; readonly packed: PackedItems }
  | { readonly type: 'failed'; readonly feed: number; readonly message: string }
  | { readonly type: 'closed'; readonly feed: number }
  /** The thread's connection is gone for good (or never came up); the thread ends. */
  | { readonly type: 'down'; readonly message: string };
