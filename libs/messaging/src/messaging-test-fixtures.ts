import { randomUUID } from 'node:crypto';
import { jetstream, jetstreamManager, type JetStreamManager, type StoredMsg } from '@nats-io/jetstream';
import { headers as createHeaders } from '@nats-io/transport-node';
import {
  create,
  encodeEnvelope,
  Headers,
  TaskCancelledSchema,
  TaskCreatedSchema,
  TaskKind,
  type Envelope,
  type Topology,
} from '@cohort/contracts';
import { natsTestContext, type NatsTestContext } from '@cohort/testing';
import { ensureMessagingStreams } from './ensure-messaging-streams.js';

/** A test namespace with the events stream (normally the event store's) and the messaging streams. */
export async function messagingTestContext(label: string): Promise<NatsTestContext & { jsm: JetStreamManager }> {
  const ctx = await natsTestContext({ label });
  const jsm = await jetstreamManager(ctx.nc);
  await jsm.streams.add({ name: ctx.topology.streams.events, subjects: [ctx.topology.allEvents], duplicate_window: 60_000_000_000 });
  await ensureMessagingStreams(jsm, ctx.topology);
  return Object.assign(ctx, { jsm });
}

export function taskCreated(aggregateId: string, version = 1, overrides: Partial<Envelope> = {}): Envelope {
  return {
    id: randomUUID(),
    type: 'TaskCreated',
    aggregateType: 'task',
    aggregateId,
    version,
    occurredAt: '2026-11-21T10:00:00.000Z',
    correlationId: `corr-${aggregateId}`,
    causationId: `cause-${aggregateId}`,
    traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01',
    data: create(TaskCreatedSchema, { taskId: aggregateId, kind: TaskKind.STANDALONE, title: `task ${aggregateId}`, agent: 'scripted' }),
    ...overrides,
  } as Envelope;
}

export function taskCancelled(aggregateId: string, version = 2): Envelope {
  return {
    ...taskCreated(aggregateId, version),
    type: 'TaskCancelled',
    data: create(TaskCancelledSchema, { reason: 'not needed' }),
  } as Envelope;
}

/** Publishes an event as the event store does: id as Nats-Msg-Id, type and trace in headers. */
export async function publishEvent(ctx: NatsTestContext, envelope: Envelope): Promise<number> {
  const hdrs = createHeaders();
  hdrs.set(Headers.msgId, envelope.id);
  hdrs.set(Headers.eventType, envelope.type);
  hdrs.set(Headers.correlationId, envelope.correlationId);
  hdrs.set(Headers.traceparent, envelope.traceparent);
  const ack = await jetstream(ctx.nc).publish(ctx.topology.event('task', envelope.aggregateId), encodeEnvelope(envelope), {
    headers: hdrs,
  });
  return ack.seq;
}

export async function publishRaw(
  ctx: NatsTestContext,
  subject: string,
  body: string,
  headerValues: Record<string, string> = {},
): Promise<number> {
  const hdrs = createHeaders();
  for (const [name, value] of Object.entries(headerValues)) hdrs.set(name, value);
  return (await jetstream(ctx.nc).publish(subject, new TextEncoder().encode(body), { headers: hdrs })).seq;
}

/** Every dead letter of a service, oldest first. */
export async function deadLetters(jsm: JetStreamManager, topology: Topology, service: string): Promise<StoredMsg[]> {
  const info = await jsm.streams.info(topology.streams.dlq);
  const letters: StoredMsg[] = [];
  for (let seq = info.state.first_seq; seq <= info.state.last_seq && info.state.messages > 0; seq++) {
    const msg = await jsm.streams.getMessage(topology.streams.dlq, { seq }).catch(() => null);
    if (msg && msg.subject === topology.dlq(service)) letters.push(msg);
  }
  return letters;
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
