import { describe, expect, it } from 'vitest';
import { encodeEnvelope } from '@cohort/contracts';
import { LIFECYCLES, repoHistory, storedEnvelopes, taskHistory, ticker } from '../../test/sample-lifecycles.js';
import { decodeRawEvents } from './decode-raw-events.js';
import { decodeAndPack, unpackItems } from './feed-transfer.js';
import { RawEventsWriter } from './raw-events.js';

function rawEvents(): ReturnType<RawEventsWriter['take']> {
  const at = ticker(new Date('2026-02-01T00:00:00Z'));
  const writer = new RawEventsWriter();
  let position = 0;
  const histories = [repoHistory('r', at), ...LIFECYCLES.map((l, i) => taskHistory(`t${i}`, 'r', l, at))];
  for (const { envelope, subject } of histories.flatMap(storedEnvelopes)) writer.add(++position, encodeEnvelope(envelope), subject);
  // Proto3 JSON spells a double NaN as a string; JSON.stringify would turn the decoded NaN into null.
  const usage = { '@type': 'type.googleapis.com/cohort.v1.RunUsageReported', runId: 't0-r1', usage: { costUsd: 'NaN', inputTokens: 1 } };
  const nan = { id: 'nan', type: 'RunUsageReported', aggregateType: 'task', aggregateId: 't0', version: 99, occurredAt: at(), data: usage };
  writer.add(++position, Buffer.from(JSON.stringify(nan)), 'ns.evt.task.t0');
  writer.add(position + 1, Buffer.from('not json at all'), 'ns.evt.task.broken');
  return writer.take();
}

describe('events passed from the reading thread', () => {
  it('arrive as the thread decoded them: the same events, numbers JSON cannot write included, and the same timeline lines', () => {
    const raw = rawEvents();
    const expected = decodeRawEvents(raw);
    const received = unpackItems(structuredClone(decodeAndPack(raw)));
    expect(received.map((i) => i.position)).toEqual(expected.map((i) => i.position));
    expect(received.map((i) => JSON.stringify(i.event))).toEqual(expected.map((i) => JSON.stringify(i.event)));
    expect(received.map((i) => Buffer.from(i.timeline!).toString())).toEqual(expected.map((i) => Buffer.from(i.timeline!).toString()));
    const nan = received.find((i) => i.event.id === 'nan')!.event as { data: { usage?: { costUsd: number } } };
    expect(nan.data.usage?.costUsd).toBeNaN();
    expect(received.at(-1)!.event).toMatchObject({ unknown: true, aggregateType: 'task', aggregateId: 'broken' });
  });
});
