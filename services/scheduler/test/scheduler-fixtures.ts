import { randomUUID } from 'node:crypto';
import { jetstreamManager } from '@nats-io/jetstream';
import { Kvm, type KV } from '@nats-io/kv';
import {
  create,
  taskEventSchemas,
  TaskKind,
  type Envelope,
  type MessageInitShape,
  type NewEvent,
  type TaskEvent,
  type TaskEventType,
  type Topology,
} from '@cohort/contracts';
import { fold, resolvePolicy, type Policy, type TaskState } from '@cohort/domain';
import { ensureEventStream, JetStreamEventStore } from '@cohort/eventstore';
import { ensureMessagingStreams } from '@cohort/messaging';
import { natsTestContext, type NatsTestContext } from '@cohort/testing';
import type { SchedulerConfig } from '../src/config.js';

type TaskCreatedInit = MessageInitShape<(typeof taskEventSchemas)['TaskCreated']>;

/** A namespace with the streams, an event store and the heartbeats bucket, as the other services would have them. */
export interface SchedulerTestContext extends NatsTestContext {
  readonly store: JetStreamEventStore;
  readonly heartbeats: KV;
}

export async function schedulerTestContext(label: string): Promise<SchedulerTestContext> {
  const ctx = await natsTestContext({ label });
  const jsm = await jetstreamManager(ctx.nc);
  await ensureEventStream(jsm, ctx.topology);
  await ensureMessagingStreams(jsm, ctx.topology);
  const store = await JetStreamEventStore.create({ nc: ctx.nc, topology: ctx.topology });
  const heartbeats = await new Kvm(ctx.nc).create(ctx.topology.buckets.heartbeats, { history: 1 });
  return Object.assign(ctx, { store, heartbeats });
}

export function configFor(
  ctx: { url: string; topology: Topology },
  over: Partial<Omit<SchedulerConfig, 'policy'>> & { policy?: Partial<Policy> } = {},
): SchedulerConfig {
  const { policy, ...rest } = over;
  return {
    natsUrl: ctx.url,
    namespace: ctx.topology.namespace,
    healthPort: undefined,
    resyncMs: 200,
    maxConcurrentRuns: 100,
    concurrency: 16,
    passTimeoutMs: 3_000,
    ackWaitMs: 2_000,
    ...rest,
    policy: resolvePolicy({ backoffJitter: 0, ...policy }),
  };
}

export function event<T extends TaskEventType>(type: T, data: MessageInitShape<(typeof taskEventSchemas)[T]>): NewEvent {
  return { type, id: randomUUID(), data: create(taskEventSchemas[type] as never, data as never) } as unknown as NewEvent;
}

/** Appends events to a task as another service would: after whatever is there. */
export async function appendTo(ctx: SchedulerTestContext, taskId: string, ...events: NewEvent[]): Promise<void> {
  await ctx.store.append({ type: 'task', id: taskId }, events, { expectedVersion: 'any' });
}

/** TaskCreated, appended as intake does. */
export async function createTask(
  ctx: SchedulerTestContext,
  taskId: string,
  over: Partial<MessageInitShape<(typeof taskEventSchemas)['TaskCreated']>> = {},
): Promise<void> {
  await ctx.store.append(
    { type: 'task', id: taskId },
    [event('TaskCreated', { taskId, kind: TaskKind.STANDALONE, title: `task ${taskId}`, agent: 'scripted', ...over } as TaskCreatedInit)],
    { expectedVersion: 0 },
  );
}

export async function historyOf(ctx: SchedulerTestContext, taskId: string): Promise<Envelope[]> {
  return [...(await ctx.store.read({ type: 'task', id: taskId })).events];
}

export async function stateOf(ctx: SchedulerTestContext, taskId: string): Promise<TaskState | undefined> {
  return fold((await historyOf(ctx, taskId)).filter((e): e is Envelope<TaskEvent> => e.aggregateType === 'task'));
}

export function ofType<T extends Envelope['type']>(events: readonly Envelope[], type: T): Array<Extract<Envelope, { type: T }>> {
  return events.filter((e): e is Extract<Envelope, { type: T }> => e.type === type);
}

/** The agent-runtime's side of a run: workspace ready and the agent started. */
export async function startRun(ctx: SchedulerTestContext, taskId: string, runId: string): Promise<void> {
  await appendTo(
    ctx,
    taskId,
    event('WorkspaceReady', { runId, workspaceId: `ws-${runId}` }),
    event('RunStarted', { runId, workspaceId: `ws-${runId}` }),
  );
}

export async function writeHeartbeat(ctx: SchedulerTestContext, taskId: string, runId: string, at: Date): Promise<void> {
  await ctx.heartbeats.put(runId, JSON.stringify({ taskId, runId, at: at.toISOString() }));
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
