import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import {
  CheckStatus,
  create,
  ForgeKind,
  RepoRegisteredSchema,
  ReviewVerdict,
  SubmitReviewSchema,
  TaskCreatedSchema,
  TaskKind,
} from '@cohort/contracts';
import { JetStreamEventStore } from '@cohort/eventstore';
import { CommandClient } from '@cohort/messaging';
import { gitSync, seedOrigin, natsTestContext, spawnService, waitFor, type NatsTestContext, type SpawnedService } from '@cohort/testing';
import { CI_COMMAND, pullRequestRequested, runFinished, runScheduled } from '../test/harness.js';

let ctx: NatsTestContext | undefined;
let service: SpawnedService | undefined;
let dir: string | undefined;
afterEach(async () => {
  await service?.stop('SIGKILL');
  await ctx?.dispose();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('pr-watcher as a process', () => {
  it('opens a pull request, answers SubmitReview, polls for conflicts on its own and exits 0 on SIGTERM', async () => {
    ctx = await natsTestContext({ label: 'prmain' });
    dir = mkdtempSync(join(tmpdir(), 'pr-watcher-main-'));
    const { origin, clone: work } = seedOrigin(dir, { 'app.txt': 'one\n' }, 'work');
    const taskId = `t-${randomUUID().slice(0, 8)}`;
    gitSync(work, 'checkout', '--quiet', '-b', `cohort/${taskId}`);
    writeFileSync(join(work, 'app.txt'), 'two\n');
    writeFileSync(join(work, 'ok'), 'yes\n');
    gitSync(work, 'add', '.');
    gitSync(work, 'commit', '--quiet', '-m', 'change');
    gitSync(work, 'push', '--quiet', origin, `cohort/${taskId}`);
    const head = gitSync(work, 'rev-parse', 'HEAD');

    service = spawnService('services/pr-watcher/src/main.ts', {
      NATS_URL: ctx.url,
      COHORT_NAMESPACE: ctx.topology.namespace,
      COHORT_DATA_DIR: join(dir, 'data'),
      HEALTH_PORT: '0',
      PR_WATCHER_CONFLICT_POLL_INTERVAL_MS: '200',
    });
    const port = await waitFor('the health port in the start-up log', () => /health on :(\d+)/.exec(service!.output())?.[1], 20_000);
    expect((await fetch(`http://127.0.0.1:${port}/readyz`)).status).toBe(200);

    const store = await JetStreamEventStore.create({ nc: ctx.nc, topology: ctx.topology });
    await store.append(
      { type: 'repo', id: 'demo' },
      [
        {
          id: randomUUID(),
          type: 'RepoRegistered',
          data: create(RepoRegisteredSchema, {
            repoId: 'demo',
            settings: { name: 'demo', url: origin, forge: ForgeKind.LOCAL, defaultBranch: 'main', ciCommand: CI_COMMAND },
          }),
        },
      ],
      { expectedVersion: 'any' },
    );
    const task = { type: 'task' as const, id: taskId };
    await store.append(
      task,
      [
        {
          id: randomUUID(),
          type: 'TaskCreated',
          data: create(TaskCreatedSchema, {
            taskId,
            kind: TaskKind.REPO,
            title: 'Change',
            repoId: 'demo',
            baseBranch: 'main',
            agent: 'scripted',
          }),
        },
        runScheduled(`${taskId}-r1`),
        runFinished(`${taskId}-r1`, head),
        pullRequestRequested(taskId, head),
      ],
      { expectedVersion: 'any' },
    );
    const find = async (type: string) => (await store.read(task)).events.find((e) => e.type === type);
    const checks = await waitFor('ChecksReported', () => find('ChecksReported'), 20_000);
    expect(checks.type === 'ChecksReported' && checks.data.status).toBe(CheckStatus.PASSING);

    const reply = await new CommandClient(ctx.nc, ctx.topology).send(
      'pr-watcher',
      'SubmitReview',
      SubmitReviewSchema,
      { taskId, verdict: ReviewVerdict.APPROVED, body: 'Ship it.' },
      { timeoutMs: 10_000 },
    );
    expect(reply.ok).toBe(true);
    expect(await find('ReviewSubmitted')).toBeDefined();

    // The base moves under the pull request; nothing but the poll notices.
    gitSync(work, 'checkout', '--quiet', 'main');
    writeFileSync(join(work, 'app.txt'), 'three\n');
    gitSync(work, 'commit', '--quiet', '-am', 'base moves');
    gitSync(work, 'push', '--quiet', origin, 'main');
    const conflict = await waitFor('ConflictDetected from the poll', () => find('ConflictDetected'), 20_000);
    expect(conflict.type === 'ConflictDetected' && conflict.data.files).toEqual(['app.txt']);

    expect(await service.stop('SIGTERM')).toBe(0);
    service = undefined;
  });
});
