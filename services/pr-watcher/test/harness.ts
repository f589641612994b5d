import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  create,
  ForgeKind,
  PullRequestRequestedSchema,
  RepoRegisteredSchema,
  RunFinishedSchema,
  RunKind,
  RunOutcome,
  RunScheduledSchema,
  TaskCreatedSchema,
  TaskKind,
  type Envelope,
  type EnvelopeOf,
  type EventType,
  type NewEvent,
} from '@cohort/contracts';
import { JetStreamEventStore } from '@cohort/eventstore';
import { gitSync, seedOrigin, natsTestContext, waitFor, type NatsTestContext } from '@cohort/testing';
import { readPrWatcherConfig, type PrWatcherConfig } from '../src/config.js';
import { startPrWatcher, type PrWatcherHandle } from '../src/start-pr-watcher.js';

/** CI of the demo package: passes once a file named `ok` exists. */
export const CI_COMMAND = `sh -c 'test -f ok || { echo "ok file is missing" >&2; exit 1; }'`;

export interface PrScenario {
  readonly ctx: NatsTestContext;
  readonly store: JetStreamEventStore;
  readonly service: PrWatcherHandle;
  readonly dir: string;
  readonly origin: string;
  readonly repoId: string;
  readonly taskId: string;
  readonly branch: string;
  /** Commits files onto a branch of origin (from a fresh clone) and returns the new head. */
  push(branch: string, files: Record<string, string>, message?: string): string;
  append(...events: NewEvent[]): Promise<void>;
  events(): Promise<readonly Envelope[]>;
  all<T extends EventType>(type: T): Promise<Array<EnvelopeOf<T>>>;
  waitForEvent<T extends EventType>(type: T, match?: (e: EnvelopeOf<T>) => boolean, timeoutMs?: number): Promise<EnvelopeOf<T>>;
  /** TaskCreated, a finished first run that pushed `files` to the task branch, and PullRequestRequested; returns the head. */
  openPullRequest(files: Record<string, string>): Promise<string>;
  dispose(): Promise<void>;
}

export async function prScenario(label: string, config: Partial<PrWatcherConfig> = {}): Promise<PrScenario> {
  const ctx = await natsTestContext({ label });
  const dir = mkdtempSync(join(tmpdir(), 'pr-watcher-'));
  const { origin } = seedOrigin(dir, {
    'package.json': '{ "name": "demo", "version": "1.0.0" }\n',
    'sum.js': 'export const sum = (a, b) => a - b;\n',
  });

  const service = await startPrWatcher(
    {
      ...readPrWatcherConfig({ NATS_URL: ctx.url, COHORT_NAMESPACE: ctx.topology.namespace, COHORT_DATA_DIR: join(dir, 'data') }),
      healthPort: undefined,
      conflictPollIntervalMs: 3_600_000,
      ...config,
    },
    { logger: ['error'] },
  );
  const store = await JetStreamEventStore.create({ nc: ctx.nc, topology: ctx.topology });
  const repoId = `demo-${randomUUID().slice(0, 6)}`;
  await store.append(
    { type: 'repo', id: repoId },
    [
      {
        id: randomUUID(),
        type: 'RepoRegistered',
        data: create(RepoRegisteredSchema, {
          repoId,
          settings: { name: repoId, url: origin, forge: ForgeKind.LOCAL, defaultBranch: 'main', ciCommand: CI_COMMAND },
        }),
      },
    ],
    { expectedVersion: 'any' },
  );
  const taskId = `t-${randomUUID().slice(0, 8)}`;
  const branch = `cohort/${taskId}`;
  const aggregate = { type: 'task' as const, id: taskId };
  const events = async () => (await store.read(aggregate)).events;
  const all = async <T extends EventType>(type: T) => (await events()).filter((e) => e.type === type) as Array<EnvelopeOf<T>>;
  let clones = 0;
  const push = (target: string, files: Record<string, string>, message = 'change') => {
    const work = join(dir, `clone-${++clones}`);
    gitSync(dir, 'clone', '--quiet', origin, work);
    const exists = gitSync(work, 'ls-remote', '--heads', 'origin', target) !== '';
    gitSync(work, 'checkout', '--quiet', '-B', target, exists ? `origin/${target}` : 'origin/main');
    for (const [path, content] of Object.entries(files)) writeFileSync(join(work, path), content);
    gitSync(work, 'add', '.');
    gitSync(work, 'commit', '--quiet', '-m', message);
    gitSync(work, 'push', '--quiet', 'origin', `HEAD:refs/heads/${target}`);
    return gitSync(work, 'rev-parse', 'HEAD');
  };
  const append = async (...newEvents: NewEvent[]) => {
    await store.append(aggregate, newEvents, { expectedVersion: 'any' });
  };
  return {
    ctx,
    store,
    service,
    dir,
    origin,
    repoId,
    taskId,
    branch,
    push,
    append,
    events,
    all,
    waitForEvent: <T extends EventType>(type: T, match: (e: EnvelopeOf<T>) => boolean = () => true, timeoutMs = 20_000) =>
      waitFor(`${type} of ${taskId}`, async () => (await all(type)).find(match), timeoutMs),
    openPullRequest: async (files) => {
      const head = push(branch, files, 'make sum add');
      await append(
        {
          id: randomUUID(),
          type: 'TaskCreated',
          data: create(TaskCreatedSchema, { taskId, kind: TaskKind.REPO, title: 'Fix sum', repoId, baseBranch: 'main', agent: 'scripted' }),
        },
        runScheduled(`${taskId}-r1`),
        runFinished(`${taskId}-r1`, head),
        pullRequestRequested(taskId, head),
      );
      return head;
    },
    dispose: async () => {
      await service.close();
      await ctx.dispose();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export function runScheduled(runId: string, kind: RunKind = RunKind.INITIAL, attempt = 1): NewEvent {
  return { id: randomUUID(), type: 'RunScheduled', data: create(RunScheduledSchema, { runId, attempt, kind, agent: 'scripted' }) };
}

export function runFinished(runId: string, headSha: string, extra: { reviewVerdict?: number; summary?: string } = {}): NewEvent {
  return {
    id: randomUUID(),
    type: 'RunFinished',
    data: create(RunFinishedSchema, { runId, outcome: RunOutcome.SUCCEEDED, exitCode: 0, headSha, hasChanges: true, ...extra }),
  };
}

export function pullRequestRequested(taskId: string, headSha: string): NewEvent {
  return {
    id: randomUUID(),
    type: 'PullRequestRequested',
    data: create(PullRequestRequestedSchema, {
      runId: `${taskId}-r1`,
      branch: `cohort/${taskId}`,
      baseBranch: 'main',
      title: 'Fix sum',
      body: 'Makes sum add.',
      headSha,
    }),
  };
}
