import { afterEach, describe, expect, it } from 'vitest';
import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import { nanos } from '@nats-io/transport-node';
import { natsTestContext, type NatsTestContext } from '@cohort/testing';
import { ensureMessagingStreams } from './ensure-messaging-streams.js';

const contexts: NatsTestContext[] = [];
afterEach(async () => {
  for (const ctx of contexts.splice(0)) await ctx.dispose();
});

describe('ensureMessagingStreams', () => {
  it('creates the inbox, dead-letter and log streams on their subjects with file storage', async () => {
    const ctx = await natsTestContext({ label: 'streams' });
    contexts.push(ctx);
    const streams = await ensureMessagingStreams(await jetstreamManager(ctx.nc), ctx.topology);
    expect(streams.inbox.config).toMatchObject({ name: ctx.topology.streams.inbox, subjects: [ctx.topology.allInbound], storage: 'file' });
    expect(streams.dlq.config).toMatchObject({ name: ctx.topology.streams.dlq, subjects: [ctx.topology.allDlq], storage: 'file' });
    expect(streams.logs.config).toMatchObject({
      name: ctx.topology.streams.logs,
      subjects: [ctx.topology.allLogs],
      // The test run sets COHORT_LOGS_MAX_BYTES (see vitest.config.ts); without it the default is 10 GiB.
      max_bytes: Number(process.env.COHORT_LOGS_MAX_BYTES ?? 10 * 1024 ** 3),
    });
    expect(streams.inbox.config.duplicate_window).toBe(nanos(120_000));
  });

  it('is idempotent and brings limits up to date when called again, keeping the messages', async () => {
    const ctx = await natsTestContext({ label: 'streams' });
    contexts.push(ctx);
    const jsm = await jetstreamManager(ctx.nc);
    await Promise.all([ensureMessagingStreams(jsm, ctx.topology), ensureMessagingStreams(jsm, ctx.topology)]);
    await jetstream(ctx.nc).publish(ctx.topology.log('t-1', 'r-1'), 'line');
    const updated = await ensureMessagingStreams(jsm, ctx.topology, { logs: { maxAgeMs: 60_000, maxBytes: 1024 * 1024 } });
    expect(updated.logs.config.max_age).toBe(nanos(60_000));
    expect(updated.logs.config.max_bytes).toBe(1024 * 1024);
    expect(updated.logs.state.messages).toBe(1);
  });

  it('drops an inbound message repeated with the same Nats-Msg-Id within the dedupe window', async () => {
    const ctx = await natsTestContext({ label: 'streams' });
    contexts.push(ctx);
    await ensureMessagingStreams(await jetstreamManager(ctx.nc), ctx.topology);
    const js = jetstream(ctx.nc);
    const subject = ctx.topology.inbound('task', 'requested');
    const first = await js.publish(subject, '{}', { msgID: 'req-1' });
    const again = await js.publish(subject, '{}', { msgID: 'req-1' });
    expect(again.duplicate).toBe(true);
    expect(again.seq).toBe(first.seq);
  });
});
