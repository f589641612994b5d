import { afterEach, describe, expect, it } from 'vitest';
import { Headers, TaskRequestedSchema, encodeJson, create, TaskKind, type Envelope } from '@cohort/contracts';
import { waitFor } from '@cohort/testing';
import { ANY_EVENT, JetStreamTransport, type JetStreamTransportOptions } from './jetstream-transport.js';
import { currentMessageContext, type MessageContext } from './message-context.js';
import { inboundDecoder } from './message-decoders.js';
import {
  deadLetters,
  messagingTestContext,
  publishEvent,
  publishRaw,
  sleep,
  taskCancelled,
  taskCreated,
} from './messaging-test-fixtures.js';

type Ctx = Awaited<ReturnType<typeof messagingTestContext>>;
const cleanups: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function setup(label: string): Promise<Ctx> {
  const ctx = await messagingTestContext(label);
  cleanups.push(() => ctx.dispose());
  return ctx;
}

async function startTransport(
  ctx: Ctx,
  handlers: Record<string, (data: unknown) => unknown>,
  options: Partial<JetStreamTransportOptions> = {},
): Promise<JetStreamTransport> {
  const transport = new JetStreamTransport({
    connection: { servers: ctx.url },
    topology: ctx.topology,
    service: 'scheduler',
    backoff: { initialDelayMs: 20, maxDelayMs: 100 },
    ackWaitMs: 1000,
    ...options,
  });
  for (const [pattern, handler] of Object.entries(handlers)) transport.addHandler(pattern, async (data) => handler(data), true);
  await transport.start();
  cleanups.push(() => transport.close());
  return transport;
}

async function consumerState(ctx: Ctx, service = 'scheduler', stream = ctx.topology.streams.events) {
  const info = await ctx.jsm.consumers.info(stream, ctx.topology.consumer(service));
  return { pending: info.num_pending, ackPending: info.num_ack_pending, redelivered: info.num_redelivered };
}

const settled = (ctx: Ctx, service?: string, stream?: string) =>
  waitFor('consumer to have nothing pending', async () => {
    const state = await consumerState(ctx, service, stream);
    return state.pending === 0 && state.ackPending === 0 ? state : undefined;
  });

describe('JetStream transport', () => {
  it('acks an event once its handler succeeds, so it is never delivered again', async () => {
    const ctx = await setup('ack');
    const seen: Array<{ envelope: Envelope; context: MessageContext | undefined }> = [];
    await startTransport(ctx, { TaskCreated: (data) => seen.push({ envelope: data as Envelope, context: currentMessageContext() }) });
    const event = taskCreated('t-1');
    await publishEvent(ctx, event);

    await waitFor('the event to be handled', () => (seen.length === 1 ? true : undefined));
    expect(seen[0]!.envelope).toEqual(event);
    expect(seen[0]!.context).toMatchObject({
      traceparent: event.traceparent,
      correlationId: event.correlationId,
      causationId: event.causationId,
      messageId: event.id,
      deliveryCount: 1,
      subject: ctx.topology.event('task', 't-1'),
    });
    await settled(ctx);
    await sleep(1500); // longer than ack wait: an unacked message would be back by now
    expect(seen).toHaveLength(1);
    expect((await consumerState(ctx)).redelivered).toBe(0);
  });

  it('dead-letters an event whose handler keeps failing after maxDeliveries, with reason, error and original headers', async () => {
    const ctx = await setup('dlq');
    let attempts = 0;
    await startTransport(
      ctx,
      {
        TaskCreated: () => {
          attempts++;
          throw new Error('database is down');
        },
      },
      { maxDeliveries: 3 },
    );
    const event = taskCreated('t-2');
    const seq = await publishEvent(ctx, event);

    const [letter] = await waitFor('a dead letter', async () => {
      const letters = await deadLetters(ctx.jsm, ctx.topology, 'scheduler');
      return letters.length > 0 ? letters : undefined;
    });
    expect(attempts).toBe(3);
    const h = letter!.header;
    expect(h.get(Headers.deadLetterReason)).toBe('max_deliveries_exceeded');
    expect(h.get(Headers.deadLetterError)).toContain('database is down');
    expect(h.get(Headers.deadLetterSubject)).toBe(ctx.topology.event('task', 't-2'));
    expect(h.get(Headers.deadLetterStream)).toBe(ctx.topology.streams.events);
    expect(h.get(Headers.deadLetterSequence)).toBe(String(seq));
    expect(h.get(Headers.deadLetterDeliveries)).toBe('3');
    expect(h.get(`${Headers.deadLetterOriginalHeaderPrefix}${Headers.correlationId}`)).toBe(event.correlationId);
    expect(h.get(`${Headers.deadLetterOriginalHeaderPrefix}${Headers.msgId}`)).toBe(event.id);
    expect(new TextDecoder().decode(letter!.data)).toBe(
      new TextDecoder().decode((await import('@cohort/contracts')).encodeEnvelope(event)),
    );
    await settled(ctx);
    await sleep(300);
    expect(attempts).toBe(3);
  });

  it('counts a handler that hangs past its timeout as failed, and dead-letters it in the end', async () => {
    const ctx = await setup('hang');
    let attempts = 0;
    await startTransport(
      ctx,
      {
        TaskCreated: async () => {
          attempts++;
          await sleep(5000);
        },
      },
      { handlerTimeoutMs: 150, maxDeliveries: 2 },
    );
    await publishEvent(ctx, taskCreated('t-hang'));
    const [letter] = await waitFor('a dead letter', async () => {
      const letters = await deadLetters(ctx.jsm, ctx.topology, 'scheduler');
      return letters.length > 0 ? letters : undefined;
    });
    expect(attempts).toBe(2);
    expect(letter!.header.get(Headers.deadLetterError)).toContain('did not finish within 150 ms');
  });

  it('fails to listen with a message naming the stream when it does not exist', async () => {
    const ctx = await setup('nostream');
    const transport = new JetStreamTransport({
      connection: ctx.nc,
      topology: ctx.topology,
      service: 'scheduler',
      stream: 'NO_SUCH_STREAM',
    });
    const failure = await new Promise<unknown>((resolve) => void transport.listen(resolve));
    expect(String(failure)).toContain('cannot create consumer scheduler on stream NO_SUCH_STREAM');
    expect(ctx.nc.isClosed()).toBe(false);
  });

  it('retries a failing handler with backoff and acks once it succeeds', async () => {
    const ctx = await setup('retry');
    const attemptsAt: number[] = [];
    await startTransport(
      ctx,
      {
        TaskCreated: () => {
          attemptsAt.push(Date.now());
          if (attemptsAt.length < 3) return Promise.reject(new Error('flaky'));
          return undefined;
        },
      },
      { backoff: { initialDelayMs: 200, maxDelayMs: 1000 } },
    );
    await publishEvent(ctx, taskCreated('t-3'));
    await settled(ctx);
    expect(attemptsAt).toHaveLength(3);
    expect(attemptsAt[1]! - attemptsAt[0]!).toBeGreaterThanOrEqual(180);
    expect(attemptsAt[2]! - attemptsAt[1]!).toBeGreaterThanOrEqual(380);
    expect(await deadLetters(ctx.jsm, ctx.topology, 'scheduler')).toHaveLength(0);
  });

  it('dead-letters malformed JSON, an unknown kind and a wrong field on inbound subjects at once and keeps processing', async () => {
    const ctx = await setup('inbound');
    const handled: unknown[] = [];
    await startTransport(
      ctx,
      { TaskRequested: (data) => handled.push(data) },
      {
        service: 'intake',
        stream: ctx.topology.streams.inbox,
        filterSubject: ctx.topology.allInbound,
        decoder: inboundDecoder({ 'task.requested': TaskRequestedSchema }),
      },
    );
    const requested = ctx.topology.inbound('task', 'requested');
    await publishRaw(ctx, requested, '{"requestId": "r-1", ', { [Headers.correlationId]: 'corr-bad' });
    await publishRaw(ctx, ctx.topology.inbound('task', 'exploded'), '{"requestId": "r-2"}');
    await publishRaw(ctx, requested, '{"requestId": "r-3", "task": {"kind": "TASK_KIND_STANDALONE", "title": "x", "colour": "red"}}');
    const good = create(TaskRequestedSchema, { requestId: 'r-4', task: { kind: TaskKind.STANDALONE, title: 'Triage the inbox' } });
    await publishRaw(ctx, requested, new TextDecoder().decode(encodeJson(TaskRequestedSchema, good)));

    await waitFor('the good request to be handled', () => (handled.length === 1 ? true : undefined));
    expect(handled[0]).toEqual(good);
    const letters = await waitFor('three dead letters', async () => {
      const found = await deadLetters(ctx.jsm, ctx.topology, 'intake');
      return found.length === 3 ? found : undefined;
    });
    const summary = letters.map((letter) => ({
      reason: letter.header.get(Headers.deadLetterReason),
      error: letter.header.get(Headers.deadLetterError),
      deliveries: letter.header.get(Headers.deadLetterDeliveries),
    }));
    expect(summary[0]).toMatchObject({ reason: 'decode_malformed_json', deliveries: '1' });
    expect(summary[0]!.error).toMatch(/not valid JSON/);
    expect(letters[0]!.header.get(`${Headers.deadLetterOriginalHeaderPrefix}${Headers.correlationId}`)).toBe('corr-bad');
    expect(summary[1]).toMatchObject({ reason: 'decode_unknown_event_type', deliveries: '1' });
    expect(summary[1]!.error).toContain('task.exploded');
    expect(summary[2]).toMatchObject({ reason: 'decode_unknown_field', deliveries: '1' });
    expect(summary[2]!.error).toContain('colour');
    await settled(ctx, 'intake', ctx.topology.streams.inbox);
  });

  it('dead-letters an event of a type the contracts do not know, naming the field', async () => {
    const ctx = await setup('unknown');
    await startTransport(ctx, { [ANY_EVENT]: () => undefined });
    const json = JSON.parse(new TextDecoder().decode((await import('@cohort/contracts')).encodeEnvelope(taskCreated('t-4'))));
    json.type = 'TaskExploded';
    json.data['@type'] = 'type.googleapis.com/cohort.v1.TaskExploded';
    await publishRaw(ctx, ctx.topology.event('task', 't-4'), JSON.stringify(json));
    const [letter] = await waitFor('a dead letter', async () => {
      const letters = await deadLetters(ctx.jsm, ctx.topology, 'scheduler');
      return letters.length > 0 ? letters : undefined;
    });
    expect(letter!.header.get(Headers.deadLetterReason)).toBe('decode_unknown_event_type');
    expect(letter!.header.get(Headers.deadLetterError)).toContain('TaskExploded');
    expect(letter!.header.get(Headers.deadLetterError)).toContain('data.@type');
  });

  it('acks and skips events this service has no handler for, and hands the rest to a catch-all', async () => {
    const ctx = await setup('skip');
    const specific: string[] = [];
    await startTransport(ctx, { TaskCancelled: (data) => specific.push((data as Envelope).type) });
    await publishEvent(ctx, taskCreated('t-5'));
    await publishEvent(ctx, taskCancelled('t-5'));
    await waitFor('the cancellation to be handled', () => (specific.length === 1 ? true : undefined));
    await settled(ctx);
    expect(specific).toEqual(['TaskCancelled']);
    expect(await deadLetters(ctx.jsm, ctx.topology, 'scheduler')).toHaveLength(0);

    const anything: string[] = [];
    await startTransport(
      ctx,
      { [ANY_EVENT]: (data) => anything.push((data as Envelope).type), TaskCancelled: () => undefined },
      { service: 'projector' },
    );
    await waitFor('both events at the catch-all', () => (anything.length === 1 ? true : undefined));
    await settled(ctx, 'projector');
    expect(anything).toEqual(['TaskCreated']);
  });

  it('shares one durable consumer between two instances of a service: each event is handled once in total', async () => {
    const ctx = await setup('share');
    const byInstance = { a: [] as string[], b: [] as string[] };
    const slowly = (into: string[]) => async (data: unknown) => {
      await sleep(10);
      into.push((data as Envelope).id);
    };
    await startTransport(ctx, { TaskCreated: slowly(byInstance.a) }, { concurrency: 2 });
    await startTransport(ctx, { TaskCreated: slowly(byInstance.b) }, { concurrency: 2 });
    const ids = new Set<string>();
    for (let i = 0; i < 60; i++) {
      const event = taskCreated(`t-${i % 12}`, Math.floor(i / 12) + 1);
      ids.add(event.id);
      await publishEvent(ctx, event);
    }
    await waitFor('all events handled', () => (byInstance.a.length + byInstance.b.length >= 60 ? true : undefined), 20_000);
    await settled(ctx);
    const all = [...byInstance.a, ...byInstance.b];
    expect(all).toHaveLength(60);
    expect(new Set(all)).toEqual(ids);
    expect(byInstance.a.length).toBeGreaterThan(0);
    expect(byInstance.b.length).toBeGreaterThan(0);
  });

  it('keeps the events of one aggregate in order while others run concurrently', async () => {
    const ctx = await setup('order');
    const versions = new Map<string, number[]>();
    await startTransport(
      ctx,
      {
        TaskCreated: async (data) => {
          const envelope = data as Envelope;
          await sleep(Math.floor(Math.random() * 15));
          versions.set(envelope.aggregateId, [...(versions.get(envelope.aggregateId) ?? []), envelope.version]);
        },
      },
      { concurrency: 8 },
    );
    for (let version = 1; version <= 8; version++) {
      for (const id of ['a', 'b', 'c']) await publishEvent(ctx, taskCreated(id, version));
    }
    await settled(ctx);
    for (const id of ['a', 'b', 'c']) expect(versions.get(id)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
  });

  it('keeps a message queued behind a slow one of its aggregate alive, so it is not delivered twice', async () => {
    const ctx = await setup('queued');
    const handled: number[] = [];
    await startTransport(ctx, {
      TaskCreated: async (data) => {
        const envelope = data as Envelope;
        if (envelope.version === 1) await sleep(1800);
        handled.push(envelope.version);
      },
    });
    await publishEvent(ctx, taskCreated('slow', 1));
    await publishEvent(ctx, taskCreated('slow', 2));
    await waitFor('both events handled', () => (handled.length >= 2 ? true : undefined));
    await settled(ctx);
    await sleep(300);
    expect(handled).toEqual([1, 2]);
    expect((await consumerState(ctx)).redelivered).toBe(0);
  });

  it('resumes where it stopped after a restart, with no event lost', async () => {
    const ctx = await setup('resume');
    const seen = new Set<string>();
    const first = await startTransport(ctx, { TaskCreated: (data) => seen.add((data as Envelope).id) });
    const published: string[] = [];
    for (let i = 0; i < 10; i++) {
      const event = taskCreated(`t-${i}`);
      published.push(event.id);
      await publishEvent(ctx, event);
    }
    await waitFor('the first batch', () => (seen.size === 10 ? true : undefined));
    await first.close();
    for (let i = 10; i < 20; i++) {
      const event = taskCreated(`t-${i}`);
      published.push(event.id);
      await publishEvent(ctx, event);
    }
    await sleep(200);
    expect(seen.size).toBe(10);
    await startTransport(ctx, { TaskCreated: (data) => seen.add((data as Envelope).id) });
    await waitFor('the second batch', () => (seen.size === 20 ? true : undefined));
    expect([...seen].sort()).toEqual([...published].sort());
    await settled(ctx);
  });

  it('lets an in-flight handler finish and ack on graceful shutdown', async () => {
    const ctx = await setup('shutdown');
    const log: string[] = [];
    const transport = await startTransport(ctx, {
      TaskCreated: async () => {
        log.push('started');
        await sleep(500);
        log.push('finished');
      },
    });
    await publishEvent(ctx, taskCreated('t-6'));
    await waitFor('the handler to start', () => (log.includes('started') ? true : undefined));
    await transport.close();
    log.push('closed');
    expect(log).toEqual(['started', 'finished', 'closed']);
    expect(await consumerState(ctx)).toEqual({ pending: 0, ackPending: 0, redelivered: 0 });

    const again: unknown[] = [];
    await startTransport(ctx, { TaskCreated: (data) => again.push(data) });
    await sleep(1500);
    expect(again).toHaveLength(0);
  });
});
