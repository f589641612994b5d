import { afterEach, describe, expect, it } from 'vitest';
import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import { headers } from '@nats-io/transport-node';
import { natsTestContext, type NatsTestContext } from '@cohort/testing';
import { ensureEventStream } from './jetstream/ensure-event-stream.js';
import { JetStreamEventStore } from './jetstream/jetstream-event-store.js';
import { describeEventStoreContract } from './testing/event-store-contract.js';
import { freshTask, priorityChanged } from './testing/sample-events.js';
import { Headers } from '@cohort/contracts';
import { UndecodableEvent } from './undecodable-event.js';
import { StoreUnavailable } from './store-unavailable.js';
import { connectEventLog } from './jetstream/connect-event-log.js';

describeEventStoreContract('JetStreamEventStore', async () => {
  const ctx = await natsTestContext({ label: 'esjs' });
  await ensureEventStream(await jetstreamManager(ctx.nc), ctx.topology);
  return { open: () => JetStreamEventStore.create({ nc: ctx.nc, topology: ctx.topology }), dispose: () => ctx.dispose() };
});

describe('JetStreamEventStore on JetStream 2.9', () => {
  let ctx: NatsTestContext;
  afterEach(async () => {
    await ctx.dispose();
  });

  async function setUp(): Promise<JetStreamEventStore> {
    ctx = await natsTestContext({ label: 'esjs' });
    await ensureEventStream(await jetstreamManager(ctx.nc), ctx.topology);
    return JetStreamEventStore.create({ nc: ctx.nc, topology: ctx.topology });
  }

  it('creates the stream with file storage and the dedupe window, and is idempotent', async () => {
    const store = await setUp();
    const jsm = await jetstreamManager(ctx.nc);
    await store.append(freshTask(), [priorityChanged(1)], { expectedVersion: 0 });
    await ensureEventStream(jsm, ctx.topology);
    await ensureEventStream(jsm, ctx.topology, { duplicateWindowMs: 10 * 60_000 });
    const info = await jsm.streams.info(ctx.topology.streams.events);
    expect(info.config.storage).toBe('file');
    expect(info.config.subjects).toEqual([ctx.topology.allEvents]);
    expect(info.config.duplicate_window).toBe(10 * 60_000 * 1_000_000);
    expect(info.state.messages).toBe(1);
  });

  it('stores one message per event on the aggregate subject, with the event headers', async () => {
    const store = await setUp();
    const task = freshTask();
    const event = {
      ...priorityChanged(5),
      correlationId: 'corr-1',
      causationId: 'cause-1',
      traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01',
    };
    await store.append(task, [event], { expectedVersion: 0 });
    const jsm = await jetstreamManager(ctx.nc);
    const stored = await jsm.streams.getMessage(ctx.topology.streams.events, { last_by_subj: ctx.topology.event('task', task.id) });
    expect(stored?.header.get(Headers.msgId)).toBe(event.id);
    expect(stored?.header.get(Headers.eventType)).toBe('TaskPriorityChanged');
    expect(stored?.header.get(Headers.aggregateVersion)).toBe('1');
    expect(stored?.header.get(Headers.correlationId)).toBe('corr-1');
    expect(stored?.header.get(Headers.causationId)).toBe('cause-1');
    expect(stored?.header.get(Headers.traceparent)).toBe(event.traceparent);
  });

  it('refuses an event whose ids would break the header block, storing nothing', async () => {
    const store = await setUp();
    const forged = { ...priorityChanged(1), correlationId: 'corr\r\nNats-Msg-Id: forged' };
    await expect(store.append(freshTask(), [forged], { expectedVersion: 0 })).rejects.toThrow(
      /correlationId must not contain a line break/,
    );
    expect(await store.position()).toBe(0);
  });

  it('fails with StoreUnavailable when no stream captures the aggregate subject', async () => {
    ctx = await natsTestContext({ label: 'esjs' });
    const store = await JetStreamEventStore.create({ nc: ctx.nc, topology: ctx.topology });
    const task = freshTask();
    const error = await store.append(task, [priorityChanged(1)], { expectedVersion: 0 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StoreUnavailable);
    expect((error as Error).message).toContain(ctx.topology.event('task', task.id));
    expect((error as Error).message).toContain('no responders');
  });

  it('fails with StoreUnavailable once its connection is closed', async () => {
    const store = await setUp();
    const nc = await connectEventLog({ servers: ctx.url, name: 'esjs-closed' });
    const closing = await JetStreamEventStore.create({ nc, topology: ctx.topology });
    const task = freshTask();
    await closing.append(task, [priorityChanged(1)], { expectedVersion: 0 });
    await nc.close();
    await expect(closing.append(task, [priorityChanged(2)], { expectedVersion: 1 })).rejects.toBeInstanceOf(StoreUnavailable);
    expect((await store.read(task)).version).toBe(1);
  });

  it('keeps stores on one connection apart while they share its reply subscription', async () => {
    const first = await setUp();
    const second = await JetStreamEventStore.create({ nc: ctx.nc, topology: ctx.topology });
    const tasks = Array.from({ length: 20 }, (_, i) => freshTask(`shared${i}`));
    const results = await Promise.all(
      tasks.map((task, i) =>
        (i % 2 === 0 ? first : second).append(task, [priorityChanged(i), priorityChanged(i + 1)], { expectedVersion: 0 }),
      ),
    );
    expect(results.map((r) => r.version)).toEqual(tasks.map(() => 2));
    expect(new Set(results.map((r) => r.position)).size).toBe(tasks.length);
    for (const [i, task] of tasks.entries()) {
      expect((await first.read(task)).events.map((e) => (e.data as { priority: number }).priority)).toEqual([i, i + 1]);
    }
  });

  it('reports a re-appended event as a duplicate even though the expected version is stale', async () => {
    const store = await setUp();
    const task = freshTask();
    const event = priorityChanged(1);
    const first = await store.append(task, [event], { expectedVersion: 0 });
    await store.append(task, [priorityChanged(2)], { expectedVersion: 1 });
    // Dedupe is checked before the expected sequence, so a late retry is still a no-op.
    const retry = await store.append(task, [event], { expectedVersion: 0 });
    expect(retry).toEqual({ version: 1, position: first.position, eventIds: [event.id], duplicate: true });
    expect((await store.read(task)).version).toBe(2);
  });

  it('completes a partly stored batch when the same append is retried', async () => {
    const store = await setUp();
    const task = freshTask();
    const batch = [priorityChanged(1), priorityChanged(2), priorityChanged(3)];
    // As if the connection dropped after the first two publishes of the batch.
    await store.append(task, batch.slice(0, 2), { expectedVersion: 0 });
    const retried = await store.append(task, batch, { expectedVersion: 0 });
    expect(retried.version).toBe(3);
    expect(retried.duplicate).toBeUndefined();
    expect((await store.read(task)).events.map((e) => e.id)).toEqual(batch.map((e) => e.id));
  });

  it('finds the head from the server when its cache is cold', async () => {
    const writer = await setUp();
    const task = freshTask();
    await writer.append(task, [priorityChanged(1), priorityChanged(2)], { expectedVersion: 0 });
    const cold = await JetStreamEventStore.create({ nc: ctx.nc, topology: ctx.topology });
    expect((await cold.append(task, [priorityChanged(3)], { expectedVersion: 2 })).version).toBe(3);
  });

  it('retries once with the true sequence when its cache has the right version but an old sequence', async () => {
    const store = await setUp();
    const task = freshTask();
    await store.append(task, [priorityChanged(1)], { expectedVersion: 0 });
    // The subject is rewritten behind the store's back: still version 1, at a new sequence.
    const jsm = await jetstreamManager(ctx.nc);
    await jsm.streams.purge(ctx.topology.streams.events, { filter: ctx.topology.event('task', task.id) });
    const other = await JetStreamEventStore.create({ nc: ctx.nc, topology: ctx.topology });
    const rewritten = await other.append(task, [priorityChanged(1)], { expectedVersion: 0 });
    const result = await store.append(task, [priorityChanged(2)], { expectedVersion: 1 });
    expect(result.version).toBe(2);
    expect(result.position).toBeGreaterThan(rewritten.position);
    expect((await store.read(task)).events.map((e) => e.version)).toEqual([1, 2]);
  });

  it('refuses to read an aggregate holding a message the codec rejects, naming its position', async () => {
    const store = await setUp();
    const task = freshTask();
    const h = headers();
    h.set(Headers.aggregateVersion, '1');
    const foreign = await jetstream(ctx.nc).publish(ctx.topology.event('task', task.id), '{"not":"an envelope"}', { headers: h });
    const error = await store.read(task).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UndecodableEvent);
    expect(error).toMatchObject({ position: foreign.seq });
  });

  it('reports the stream position as the last sequence', async () => {
    const store = await setUp();
    expect(await store.position()).toBe(0);
    const result = await store.append(freshTask(), [priorityChanged(1), priorityChanged(2)], { expectedVersion: 0 });
    expect(await store.position()).toBe(result.position);
    expect(result.position).toBe(2);
  });

  it('subscribes to one aggregate only when filtered by id', async () => {
    const store = await setUp();
    const [a, b] = [freshTask('a'), freshTask('b')];
    await store.append(b, [priorityChanged(1)], { expectedVersion: 0 });
    await store.append(a, [priorityChanged(1)], { expectedVersion: 0 });
    await store.append(b, [priorityChanged(2)], { expectedVersion: 1 });
    const subscription = store.subscribe({ fromPosition: 0, filter: { aggregateType: 'task', aggregateId: a.id } });
    const iterator = subscription[Symbol.asyncIterator]();
    const first = await iterator.next();
    expect(first.done).toBe(false);
    expect(first.value?.envelope.aggregateId).toBe(a.id);
    await store.append(a, [priorityChanged(2)], { expectedVersion: 1 });
    const second = await iterator.next();
    expect(second.value?.envelope.aggregateId).toBe(a.id);
    expect(second.value?.envelope.version).toBe(2);
    await subscription.close();
  });
});
