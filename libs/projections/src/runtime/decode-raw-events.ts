import { ByteWriter } from '../db/byte-writer.js';
import { timelineCopyLine } from '../db/copy-text.js';
import type { FeedItem } from '../project/feed-item.js';
import { timelineRow } from '../project/timeline-row.js';
import { decodeEventWithData } from './decode-event.js';
import type { RawEvents } from './raw-events.js';

/**
 * Decodes the events (see decodeEventWithData) and makes their timeline rows, as
 * UTF-8 COPY lines written one after the other into one buffer.
 */
export function decodeRawEvents(raw: RawEvents): FeedItem[] {
  const items = new Array<FeedItem>(raw.positions.length);
  const lines = new ByteWriter(raw.data.length + 4096);
  let subjects: string[] | undefined;
  let start = 0;
  for (let i = 0; i < items.length; i++) {
    const position = raw.positions[i]!;
    const end = raw.ends[i]!;
    const { event, dataJson } = decodeEventWithData(raw.data.subarray(start, end), () => (subjects ??= raw.subjects.split('\n'))[i] ?? '');
    start = end;
    const line = lines.size;
    lines.write(timelineCopyLine(timelineRow(position, event, undefined, dataJson)));
    items[i] = { position, event, timeline: lines.since(line) };
  }
  return items;
}
