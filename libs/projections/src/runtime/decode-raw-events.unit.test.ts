import { describe, expect, it } from 'vitest';
import { encodeEnvelope } from '@cohort/contracts';
import { LIFECYCLES, repoHistory, storedEnvelopes, taskHistory, ticker } from '../../test/sample-lifecycles.js';
import { timelineCopyLine } from '../db/copy-text.js';
import { timelineRow } from '../project/timeline-row.js';
import { decodeEvent } from './decode-event.js';
import { decodeRawEvents } from './decode-raw-events.js';
import { RawEventsWriter } from './raw-events.js';

describe('timeline lines of decoded messages', () => {
  it('hold the data as encoding the decoded event again would: byte for byte, escapes and all', () => {
    const at = ticker(new Date('2026-02-01T00:00:00Z'));
    const histories = [repoHistory('r', at), ...LIFECYCLES.map((l, i) => taskHistory(`t${i}`, 'r', l, at))];
    // Text COPY gives backslash, tab and newline a meaning; Postgres cannot hold NUL.
    const created = histories[1]!.events[0]!;
    Object.assign(created.data as object, { prompt: 'line one\nline\ttwo "quoted" back\\slash nul\u0000 done', title: 'ünïcödé ✓' });
    const writer = new RawEventsWriter();
    const messages: Uint8Array[] = [];
    for (const { envelope, subject } of histories.flatMap(storedEnvelopes)) {
      const bytes = encodeEnvelope(envelope);
      messages.push(bytes);
      writer.add(messages.length, bytes, subject);
    }
    const lines = decodeRawEvents(writer.take()).map((item) => Buffer.from(item.timeline!).toString('utf8'));
    const expected = messages.map((bytes, i) =>
      timelineCopyLine(
        timelineRow(
          i + 1,
          decodeEvent(bytes, () => ''),
        ),
      ),
    );
    expect(lines).toEqual(expected);
    expect(lines[histories[0]!.events.length]).toContain('line one\\\\nline\\\\ttwo \\\\"quoted\\\\" back\\\\\\\\slash nul done');
  });
});
