import { randomUUID } from 'node:crypto';
import { mkdirSync, mkdtempSync, readdirSync, readlinkSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { jetstreamManager } from '@nats-io/jetstream';
import type { KV } from '@nats-io/kv';
import type { Subscription } from '@nats-io/transport-node';
import {
  create,
  decodeJson,
  LogLineSchema,
  RunKind,
  RunScheduledSchema,
  TaskCancelledSchema,
  TaskCreatedSchema,
  TaskKind,
  WorkspaceReadySchema,
  type Envelope,
  type EnvelopeOf,
  type LogLine,
  type MessageInitShape,
  type NewEvent,
} from '@cohort/contracts';
import { ensureEventStream, JetStreamEventStore } from '@cohort/eventstore';
import { ensureMessagingStreams } from '@cohort/messaging';
import { gitSync, seedOrigin, natsTestContext, waitFor, type NatsTestContext } from '@cohort/testing';
import { readAgentRuntimeConfig, type AgentRuntimeConfig } from '../src/config.js';
import { openHeartbeats, startAgentRuntime, type AgentRuntimeHandle } from '../src/start-agent-runtime.js';

/** A bare origin with one commit on main, and a worktree of it on the task's branch, as pod-manager prepares it. */
export interface RepoFixture {
  readonly dir: string;
  readonly origin: string;
  readonly worktree: string;
  readonly baseSha: string;
  readonly branch: string;
}

export function repoFixture(taskId: string): RepoFixture {
  const dir = mkdtempSync(join(tmpdir(), 'agent-runtime-'));
  const { origin } = seedOrigin(dir, { 'README.md': '# demo\n' });
  const mirror = join(dir, 'mirror.git');
  gitSync(dir, 'clone', '--quiet', '--bare', origin, mirror);
  const worktree = join(dir, 'worktree');
  const branch = `cohort/${taskId}`;
  gitSync(mirror, 'worktree', 'add', '--quiet', '-b', branch, worktree, 'main');
  const baseSha = gitSync(worktree, 'rev-parse', 'HEAD');
  return { dir, origin, worktree, baseSha, branch };
}

export interface Scenario {
  readonly ctx: NatsTestContext;
  readonly store: JetStreamEventStore;
  readonly runtime: AgentRuntimeHandle;
  readonly heartbeats: KV;
  readonly repo: RepoFixture;
  readonly taskId: string;
  readonly runId: string;
  readonly playbook: string;
  readonly logs: LogLine[];
  events(): Promise<readonly Envelope[]>;
  append(...events: NewEvent[]): Promise<void>;
  finished(): Promise<EnvelopeOf<'RunFinished'>>;
  dispose(): Promise<void>;
}

export interface ScenarioOptions {
  readonly playbook: string;
  readonly config?: Partial<AgentRuntimeConfig>;
}

export async function scenario(label: string, options: ScenarioOptions): Promise<Scenario> {
  const ctx = await natsTestContext({ label });
  const jsm = await jetstreamManager(ctx.nc);
  await ensureEventStream(jsm, ctx.topology);
  await ensureMessagingStreams(jsm, ctx.topology);
  const store = await JetStreamEventStore.create({ nc: ctx.nc, topology: ctx.topology });
  const taskId = `t-${randomUUID().slice(0, 8)}`;
  const runId = `${taskId}-r1`;
  const repo = repoFixture(taskId);
  const playbook = join(repo.dir, 'playbook.yaml');
  writeFileSync(playbook, options.playbook);
  const logs: LogLine[] = [];
  const sub: Subscription = ctx.nc.subscribe(ctx.topology.logsOfTask(taskId), {
    callback: (_error, msg) => {
      const decoded = decodeJson(LogLineSchema, msg.data);
      if (decoded.ok) logs.push(decoded.value);
    },
  });
  const config: AgentRuntimeConfig = {
    ...readAgentRuntimeConfig({ ...process.env, NATS_URL: ctx.url, COHORT_NAMESPACE: ctx.topology.namespace }),
    healthPort: undefined,
    heartbeatMs: 100,
    usageReportMs: 0,
    scriptedPlaybook: playbook,
    stateDir: join(repo.dir, 'state'),
    requireConnections: false,
    connectionsTimeoutMs: 500,
    ...options.config,
  };
  const runtime = await startAgentRuntime(config, { logger: ['error'] });
  const heartbeats = await openHeartbeats(ctx.nc, ctx.topology);
  const aggregate = { type: 'task' as const, id: taskId };
  const events = async () => (await store.read(aggregate)).events;
  return {
    ctx,
    store,
    runtime,
    heartbeats,
    repo,
    taskId,
    runId,
    playbook,
    logs,
    events,
    append: async (...newEvents) => {
      await store.append(aggregate, newEvents, { expectedVersion: 'any' });
    },
    finished: () =>
      waitFor(
        `RunFinished of ${runId}`,
        async () => (await events()).find((e): e is EnvelopeOf<'RunFinished'> => e.type === 'RunFinished' && e.data.runId === runId),
        30_000,
      ),
    dispose: async () => {
      await runtime.close();
      sub.unsubscribe();
      await ctx.dispose();
      rmSync(repo.dir, { recursive: true, force: true });
    },
  };
}

export function taskCreated(s: Pick<Scenario, 'taskId'>, prompt = 'Make the sum function add.'): NewEvent {
  return {
    id: randomUUID(),
    type: 'TaskCreated',
    data: create(TaskCreatedSchema, {
      taskId: s.taskId,
      kind: TaskKind.REPO,
      title: 'Fix sum',
      prompt,
      repoId: 'demo',
      baseBranch: 'main',
      agent: 'scripted',
      model: 'claude-sonnet-4',
    }),
  };
}

export function runScheduled(
  s: Pick<Scenario, 'taskId' | 'runId'>,
  init: Omit<Exclude<MessageInitShape<typeof RunScheduledSchema>, { $typeName: string }>, '$typeName'> = {},
): NewEvent {
  return {
    id: randomUUID(),
    type: 'RunScheduled',
    data: create(RunScheduledSchema, {
      runId: s.runId,
      attempt: 1,
      kind: RunKind.INITIAL,
      branch: `cohort/${s.taskId}`,
      agent: 'scripted',
      ...init,
    }),
  };
}

export function workspaceReady(s: Pick<Scenario, 'runId' | 'repo'>): NewEvent {
  return {
    id: randomUUID(),
    type: 'WorkspaceReady',
    data: create(WorkspaceReadySchema, {
      runId: s.runId,
      workspaceId: `ws-${s.runId}`,
      path: s.repo.worktree,
      branch: s.repo.branch,
      runtime: 'local',
      baseSha: s.repo.baseSha,
    }),
  };
}

export function taskCancelled(): NewEvent {
  return { id: randomUUID(), type: 'TaskCancelled', data: create(TaskCancelledSchema, { reason: 'not needed', by: 'test' }) };
}

/** Pids of live processes whose working directory is `dir` (the agent and everything it started there). */
export function processesIn(dir: string): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (readlinkSync(`/proc/${entry}/cwd`) !== dir) continue;
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      if (/\) Z /.test(stat)) continue; // zombies are dead already
      pids.push(Number(entry));
    } catch {
      // gone meanwhile, or not ours to read
    }
  }
  return pids;
}

export function writeFile(path: string, content: string): void {
  mkdirSync(join(path, '..'), { recursive: true });
  writeFileSync(path, content);
}
