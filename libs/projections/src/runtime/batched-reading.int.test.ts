import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ensureEventStream } from '@cohort/eventstore';
import { natsTestContext, waitFor, type NatsTestContext } from '@cohort/testing';
import { BatchedReading } from './batched-reading.js';
import type { RawEvents } from './raw-events.js';

/** What a reading handed over, message by message. */
interface Received {
  readonly position: number;
  readonly text: string;
}

function unpack(raw: RawEvents): Received[] {
  const out: Received[] = [];
  let start = 0;
  for (let i = 0; i < raw.positions.length; i++) {
    out.push({ position: raw.positions[i]!, text: Buffer.from(raw.data.subarray(start, raw.ends[i]!)).toString() });
    start = raw.ends[i]!;
  }
  return out;
}

describe('BatchedReading', () => {
  let ctx: NatsTestContext;
  beforeEach(async () => {
    ctx = await natsTestContext({ label: 'batched' });
    await ensureEventStream(await jetstreamManager(ctx.nc), ctx.topology);
  });
  afterEach(async () => {
    await ctx[Symbol.asyncDispose]();
  });

  async function publish(from: number, count: number): Promise<void> {
    const js = jetstream(ctx.nc);
    await Promise.all(
      Array.from({ length: count }, (_, i) => js.publish(ctx.topology.event('task', `t${(from + i) % 7}`), `message ${from + i}`)),
    );
  }

  function open(fromPosition: number, bufferSize: number) {
    const received: Received[] = [];
    let waiting = 0;
    let mostWaiting = 0;
    const reading = new BatchedReading(
      ctx.nc,
      { stream: ctx.topology.streams.events, subjects: ctx.topology.allEvents, fromPosition, bufferSize },
      (raw) => {
        received.push(...unpack(raw));
        waiting += raw.positions.length;
        mostWaiting = Math.max(mostWaiting, waiting);
      },
    );
    const take = (count: number) => {
      const n = Math.min(count, waiting);
      waiting -= n;
      reading.taken(n);
    };
    return { reading, received, take, waiting: () => waiting, mostWaiting: () => mostWaiting };
  }

  it('hands over every message once, in log order, never more than a bufferful waiting, and reads on as they are taken', async () => {
    await publish(0, 1500);
    const feed = open(0, 100);
    try {
      for (let round = 0; feed.received.length < 1500; round++) {
        await waitFor('a bufferful', () => (feed.waiting() >= 100 || feed.received.length === 1500 ? true : undefined));
        // Reading has paused: nothing more arrives until some is taken.
        await new Promise((resolve) => setTimeout(resolve, round < 2 ? 100 : 5));
        expect(feed.waiting()).toBeLessThanOrEqual(100);
        feed.take(round % 2 === 0 ? 100 : 37);
      }
      expect(feed.mostWaiting()).toBe(100);
      expect(feed.received.map((r) => r.position)).toEqual(Array.from({ length: 1500 }, (_, i) => i + 1));
      expect(feed.received.map((r) => r.text)).toEqual(Array.from({ length: 1500 }, (_, i) => `message ${i}`));
      // Messages published later arrive too, one by one.
      feed.take(feed.waiting());
      await publish(1500, 3);
      await waitFor('the new messages', () => (feed.received.length === 1503 ? true : undefined));
      expect(feed.received.slice(-3).map((r) => r.text)).toEqual(['message 1500', 'message 1501', 'message 1502']);
    } finally {
      await feed.reading.close();
    }
    await expect(feed.reading.done).resolves.toBeUndefined();
  });

  it('starts after the position it is given', async () => {
    await publish(0, 20);
    const feed = open(12, 1000);
    try {
      await waitFor('the rest', () => (feed.received.length === 8 ? true : undefined));
      expect(feed.received[0]).toEqual({ position: 13, text: 'message 12' });
    } finally {
      await feed.reading.close();
    }
  });

  it('ends without an error when closed while paused on a full buffer', async () => {
    await publish(0, 50);
    const feed = open(0, 10);
    await waitFor('a bufferful', () => (feed.waiting() === 10 ? true : undefined));
    await feed.reading.close();
    await expect(feed.reading.done).resolves.toBeUndefined();
    feed.take(10);
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(feed.received).toHaveLength(10);
  });
});
