import { ByteWriter } from '../db/byte-writer.js';
import type { FeedItem } from '../project/feed-item.js';
import { decodeRawEvents } from './decode-raw-events.js';
import type { RawEvents } from './raw-events.js';

/** Decoded events as a reading thread posts them: a few large values instead of thousands of small objects. */
export interface PackedItems {
  readonly positions: Float64Array;
  /** The events as one JSON array; `0` where an event is in `exact` instead. */
  readonly events: string;
  /** Events JSON would change (a number JSON cannot write, such as NaN), passed as they are. */
  readonly exact: unknown[];
  /** The timeline lines one after the other, in UTF-8; item i's ends at `ends[i]`. */
  readonly timeline: Uint8Array;
  readonly ends: Uint32Array;
}

/**
 * Decodes messages and packs them for postMessage. JSON text is parsed far
 * faster on the other side than a structured clone of the same objects is
 * rebuilt, and decoded events are plain data (protobuf messages carry no
 * methods). The timeline lines travel as bytes, ready for Postgres.
 */
export function decodeAndPack(raw: RawEvents): PackedItems {
  const items = decodeRawEvents(raw);
  const positions = new Float64Array(items.length);
  const ends = new Uint32Array(items.length);
  const exact: unknown[] = [];
  const timeline = new ByteWriter(items.reduce((n, item) => n + (item.timeline?.length ?? 0), 0) + 256);
  for (let i = 0; i < items.length; i++) {
    positions[i] = items[i]!.position;
    timeline.append(items[i]!.timeline!);
    ends[i] = timeline.size;
  }
  let events = JSON.stringify(items.map((item) => item.event));
  // JSON writes null for NaN and ±Infinity; only events with a null in them can have one.
  if (events.includes('null')) {
    const json = items.map((item) => {
      if (jsonFaithful(item.event)) return JSON.stringify(item.event);
      exact.push(item.event);
      return '0';
    });
    events = `[${json.join(',')}]`;
  }
  return { positions, events, exact, timeline: timeline.since(0), ends };
}

/** The buffers postMessage can move instead of copying. */
export function packedTransferables(packed: PackedItems): ArrayBuffer[] {
  return [packed.positions.buffer, packed.ends.buffer, packed.timeline.buffer] as ArrayBuffer[];
}

export function unpackItems(packed: PackedItems): FeedItem[] {
  const events = JSON.parse(packed.events) as (FeedItem['event'] | 0)[];
  const items = new Array<FeedItem>(events.length);
  let exact = 0;
  let start = 0;
  for (let i = 0; i < events.length; i++) {
    const end = packed.ends[i]!;
    const packedEvent = events[i]!;
    const event = packedEvent === 0 ? (packed.exact[exact++] as FeedItem['event']) : packedEvent;
    items[i] = { position: packed.positions[i]!, event, timeline: packed.timeline.subarray(start, end) };
    start = end;
  }
  return items;
}

/** Whether JSON carries this value unchanged: no number it cannot write. */
function jsonFaithful(value: unknown): boolean {
  if (typeof value === 'number') return Number.isFinite(value);
  if (value === null || typeof value !== 'object') return true;
  for (const key in value) if (!jsonFaithful((value as Record<string, unknown>)[key])) return false;
  return true;
}
