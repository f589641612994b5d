import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  create,
  ForgeKind,
  RepoRegisteredSchema,
  type RepoSettingsSchema,
  RunKind,
  RunScheduledSchema,
  TaskCreatedSchema,
  TaskKind,
  type Envelope,
  type EventType,
  type EnvelopeOf,
  type MessageInitShape,
  type NewEvent,
} from '@cohort/contracts';
import { JetStreamEventStore } from '@cohort/eventstore';
import { gitSync, seedOrigin, natsTestContext, waitFor, type NatsTestContext } from '@cohort/testing';
import { readPodManagerConfig, type PodManagerConfig } from '../src/config.js';
import { startPodManager, type PodManagerHandle } from '../src/start-pod-manager.js';

/** A bare origin with one commit on main holding a tiny package. */
export function originRepo(dir: string): { origin: string; mainSha: string } {
  const { origin } = seedOrigin(dir, { 'package.json': '{ "name": "demo", "version": "1.0.0" }\n', 'README.md': '# demo\n' });
  return { origin, mainSha: gitSync(origin, 'rev-parse', 'main') };
}

export type RunScheduledInit = Omit<Exclude<MessageInitShape<typeof RunScheduledSchema>, { $typeName: string }>, '$typeName'>;
export type RepoSettingsInit = Omit<Exclude<MessageInitShape<typeof RepoSettingsSchema>, { $typeName: string }>, '$typeName'>;

export interface PodScenario {
  readonly ctx: NatsTestContext;
  readonly store: JetStreamEventStore;
  readonly service: PodManagerHandle;
  readonly dir: string;
  readonly dataDir: string;
  readonly origin: string;
  readonly mainSha: string;
  readonly repoId: string;
  newTask(kind?: TaskKind): { taskId: string; runId: string };
  registerRepo(settings?: Partial<RepoSettingsInit>): Promise<void>;
  append(taskId: string, ...events: NewEvent[]): Promise<void>;
  events(taskId: string): Promise<readonly Envelope[]>;
  waitForEvent<T extends EventType>(taskId: string, type: T, timeoutMs?: number): Promise<EnvelopeOf<T>>;
  dispose(): Promise<void>;
}

export async function podScenario(label: string, config: Partial<PodManagerConfig> = {}): Promise<PodScenario> {
  const ctx = await natsTestContext({ label });
  const dir = mkdtempSync(join(tmpdir(), 'pod-manager-'));
  const dataDir = join(dir, 'data');
  const { origin, mainSha } = originRepo(dir);
  const service = await startPodManager(
    {
      ...readPodManagerConfig({ NATS_URL: ctx.url, COHORT_NAMESPACE: ctx.topology.namespace, COHORT_DATA_DIR: dataDir }),
      healthPort: undefined,
      cleanupIntervalMs: 3_600_000,
      healthCheckIntervalMs: 3_600_000,
      ...config,
    },
    { logger: ['error'] },
  );
  const store = await JetStreamEventStore.create({ nc: ctx.nc, topology: ctx.topology });
  const repoId = `demo-${randomUUID().slice(0, 6)}`;
  const events = async (taskId: string) => (await store.read({ type: 'task', id: taskId })).events;
  return {
    ctx,
    store,
    service,
    dir,
    dataDir,
    origin,
    mainSha,
    repoId,
    newTask: () => {
      const taskId = `t-${randomUUID().slice(0, 8)}`;
      return { taskId, runId: `${taskId}-r1` };
    },
    registerRepo: async (settings) => {
      await store.append(
        { type: 'repo', id: repoId },
        [
          {
            id: randomUUID(),
            type: 'RepoRegistered',
            data: create(RepoRegisteredSchema, {
              repoId,
              settings: { name: repoId, url: origin, forge: ForgeKind.LOCAL, defaultBranch: 'main', ...settings },
            }),
          },
        ],
        { expectedVersion: 'any' },
      );
    },
    append: async (taskId, ...newEvents) => {
      await store.append({ type: 'task', id: taskId }, newEvents, { expectedVersion: 'any' });
    },
    events,
    waitForEvent: <T extends EventType>(taskId: string, type: T, timeoutMs = 15_000) =>
      waitFor(
        `${type} of ${taskId}`,
        async () => (await events(taskId)).find((e) => e.type === type) as EnvelopeOf<T> | undefined,
        timeoutMs,
      ),
    dispose: async () => {
      await service.close();
      await ctx.dispose();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export function taskCreated(taskId: string, repoId: string, kind: TaskKind = TaskKind.REPO): NewEvent {
  return {
    id: randomUUID(),
    type: 'TaskCreated',
    data: create(TaskCreatedSchema, {
      taskId,
      kind,
      title: 'Fix sum',
      prompt: 'Make sum add.',
      ...(kind === TaskKind.REPO ? { repoId, baseBranch: 'main' } : {}),
      agent: 'scripted',
    }),
  };
}

export function runScheduled(taskId: string, runId: string, init: RunScheduledInit = {}): NewEvent {
  return {
    id: randomUUID(),
    type: 'RunScheduled',
    data: create(RunScheduledSchema, { runId, attempt: 1, kind: RunKind.INITIAL, branch: `cohort/${taskId}`, agent: 'scripted', ...init }),
  };
}
