import { afterEach, describe, expect, it } from 'vitest';
import { jetstreamManager } from '@nats-io/jetstream';
import type { Subscription } from '@nats-io/transport-node';
import { natsTestContext, type NatsTestContext } from '@cohort/testing';
import { ensureEventStream } from './jetstream/ensure-event-stream.js';
import { JetStreamEventStore } from './jetstream/jetstream-event-store.js';
import { freshTask, priorityChanged } from './testing/sample-events.js';

describe('JetStreamEventStore reads of an aggregate it has read before', () => {
  let ctx: NatsTestContext;
  let watch: Subscription | undefined;
  afterEach(async () => {
    watch?.unsubscribe();
    await ctx.dispose();
  });

  async function setUp() {
    ctx = await natsTestContext({ label: 'eshist' });
    await ensureEventStream(await jetstreamManager(ctx.nc), ctx.topology);
    const open = () => JetStreamEventStore.create({ nc: ctx.nc, topology: ctx.topology });
    // Every consumer a read makes is a request on the JetStream API: count them and keep their configs.
    const consumers: { deliver_policy: string; opt_start_seq?: number }[] = [];
    watch = ctx.nc.subscribe(`$JS.API.CONSUMER.CREATE.${ctx.topology.streams.events}.>`, {
      callback: (_error, message) => {
        consumers.push((message.json() as { config: (typeof consumers)[number] }).config);
      },
    });
    return { reader: await open(), writer: await open(), consumers };
  }

  const versions = (events: readonly { version: number }[]) => events.map((event) => event.version);

  it('answers from memory when nothing was appended since, and reads only the new events otherwise', async () => {
    const { reader, writer, consumers } = await setUp();
    const task = freshTask();
    await writer.append(task, [priorityChanged(1), priorityChanged(2)], { expectedVersion: 0 });

    const first = await reader.read(task);
    const again = await reader.read(task);
    await ctx.nc.flush();
    expect(consumers).toHaveLength(1);
    expect(again).toEqual(first);

    const appended = await writer.append(task, [priorityChanged(3)], { expectedVersion: 2 });
    const latest = await reader.read(task);
    await ctx.nc.flush();

    expect(versions(latest.events)).toEqual([1, 2, 3]);
    expect(latest.version).toBe(3);
    expect(consumers).toHaveLength(2);
    expect(consumers[1]).toMatchObject({ deliver_policy: 'by_start_sequence', opt_start_seq: appended.position });
    expect(versions((await reader.read(task, { fromVersion: 3 })).events)).toEqual([3]);
  });

  it('reads the whole history again when the stream was replaced under it', async () => {
    const { reader, writer } = await setUp();
    const task = freshTask();
    await writer.append(task, [priorityChanged(1), priorityChanged(2), priorityChanged(3)], { expectedVersion: 0 });
    await reader.read(task);

    const jsm = await jetstreamManager(ctx.nc);
    await jsm.streams.delete(ctx.topology.streams.events);
    await ensureEventStream(jsm, ctx.topology);
    const restored = await JetStreamEventStore.create({ nc: ctx.nc, topology: ctx.topology });
    await restored.append(task, [priorityChanged(7)], { expectedVersion: 0 });

    const read = await reader.read(task);
    expect(read.version).toBe(1);
    expect(read.events.map((event) => event.data)).toEqual((await restored.read(task)).events.map((event) => event.data));
    expect(versions(read.events)).toEqual([1]);
  });

  it('hands out histories that callers cannot change under the next reader', async () => {
    const { reader, writer } = await setUp();
    const task = freshTask();
    await writer.append(task, [priorityChanged(1)], { expectedVersion: 0 });
    const read = await reader.read(task);

    expect(() => (read.events as unknown[]).push({})).toThrow(TypeError);
    expect(versions((await reader.read(task)).events)).toEqual([1]);
  });
});
