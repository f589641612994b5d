import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitFor } from '@cohort/testing';
import { ProjectionHarness } from '../../test/projection-harness.js';
import { LIFECYCLES, ev, repoHistory, secretHistory, taskHistory, ticker } from '../../test/sample-lifecycles.js';
import { PostgresReadModel } from './postgres-read-model.js';
import { InvalidReadQuery, ReadModelBehind, ReadModelUnavailable } from './read-model-errors.js';

describe('PostgresReadModel', () => {
  let h: ProjectionHarness;
  let reads: PostgresReadModel;
  let last: number;

  beforeAll(async () => {
    h = await ProjectionHarness.create('readmodel');
    const at = ticker(new Date('2026-03-01T10:00:00Z'));
    const histories = [];
    for (let i = 0; i < 12; i++)
      histories.push(
        taskHistory(`task-${String(i).padStart(2, '0')}`, i % 2 ? 'acme-web' : 'acme-api', LIFECYCLES[i % LIFECYCLES.length]!, at),
      );
    last = await h.append(
      repoHistory('acme-web', at),
      repoHistory('acme-api', at),
      ...histories,
      secretHistory('GH_TOKEN', at),
      secretHistory('OLD', at, true),
    );
    await h.startProjector();
    await h.waitForCheckpoint(last);
    reads = new PostgresReadModel({ databaseUrl: h.db.url, nc: h.ctx.nc, topology: h.ctx.topology, pollIntervalMs: 50 });
  });
  afterAll(async () => {
    await reads?.close();
    await h?.dispose();
  });

  it('pages through tasks newest first with opaque cursors, without gaps or repeats', async () => {
    const seen: string[] = [];
    let after: string | undefined;
    for (;;) {
      const page = await reads.tasks({}, { first: 5, ...(after ? { after } : {}) });
      expect(page.totalCount).toBe(12);
      seen.push(...page.rows.map((r) => r.id));
      if (!page.hasNextPage) break;
      after = page.endCursor;
    }
    expect(seen).toEqual(Array.from({ length: 12 }, (_, i) => `task-${String(11 - i).padStart(2, '0')}`));
  });

  it('lists the tasks changed after a position, in log order, at most as many as asked', async () => {
    const all = await reads.tasksChangedAfter(0, 100);
    expect(all).toHaveLength(12);
    const positions = all.map((t) => t.position);
    expect(positions).toEqual([...positions].sort((a, b) => a - b));
    const cut = all[7]!.position;
    const after = await reads.tasksChangedAfter(cut, 100);
    expect(after.map((t) => t.id)).toEqual(all.slice(8).map((t) => t.id));
    expect((await reads.tasksChangedAfter(0, 3)).map((t) => t.id)).toEqual(all.slice(0, 3).map((t) => t.id));
    expect(await reads.tasksChangedAfter(last, 100)).toEqual([]);
  });

  it('answers runs, pull requests, workspaces, stages and repositories of many tasks in one query each, as one at a time', async () => {
    const ids = [...(await reads.tasks({}, { first: 200 })).rows.map((t) => t.id), 'no-such-task'];
    const [runs, prs, workspaces, stages, repos] = await Promise.all([
      reads.runsOfTasks(ids),
      reads.pullRequestsOfTasks(ids),
      reads.workspacesOfTasks(ids),
      reads.stageHistoriesOfTasks(ids),
      reads.reposByIds(['acme-web', 'acme-api', 'no-such-repo']),
    ]);
    for (const id of ids) {
      expect(runs.get(id) ?? []).toEqual(await reads.runs(id));
      expect(prs.get(id)).toEqual(await reads.pullRequest(id));
      expect(workspaces.get(id)).toEqual(await reads.workspace(id));
      expect(stages.get(id) ?? []).toEqual(await reads.stageHistory(id));
    }
    expect([...runs.values()].flat().length).toBeGreaterThan(ids.length - 1);
    expect(prs.size).toBeGreaterThan(0);
    expect([...repos.keys()].sort()).toEqual(['acme-api', 'acme-web']);
    expect(repos.get('acme-web')).toEqual(await reads.repo('acme-web'));
  });

  it('filters tasks by state, stage, repository, kind and text', async () => {
    const merged = await reads.tasks({ states: ['completed'], kinds: ['repo'] }, {});
    expect(merged.rows.every((r) => r.state === 'completed' && r.kind === 'repo')).toBe(true);
    expect(merged.totalCount).toBe(4);
    const api = await reads.tasks({ repoIds: ['acme-api'] }, { first: 200 });
    expect(api.rows.every((r) => r.repoId === 'acme-api')).toBe(true);
    const text = await reads.tasks({ text: 'CI_FAILURE case for TASK-07' }, {});
    expect(text.rows.map((r) => r.id)).toEqual(['task-07']);
    const setup = await reads.tasks({ stages: ['done'] }, { first: 200 });
    expect(setup.rows.every((r) => r.stage === 'done')).toBe(true);
    expect((await reads.tasks({ text: '100%_' }, {})).totalCount).toBe(0);
  });

  it('answers task details: runs, pull request with checks and reviews, workspace, stages and timeline', async () => {
    const task = (await reads.task('task-01'))!; // ci_failure
    expect(task).toMatchObject({ state: 'completed', stage: 'done', runCount: 2, sourceExternalId: 'EXT-task-01', repoId: 'acme-web' });
    const runs = await reads.runs('task-01');
    expect(runs.map((r) => [r.id, r.kind, r.reason, r.outcome, r.prompt])).toEqual([
      ['task-01-r1', 'initial', '', 'succeeded', 'prompt of task-01-r1'],
      ['task-01-r2', 'resume', 'ci_failure', 'succeeded', 'prompt of task-01-r2'],
    ]);
    expect(runs[1]).toMatchObject({ inputTokens: 3000, cachedInputTokens: 600, outputTokens: 900, agent: 'scripted', model: 'sonnet' });
    const pr = (await reads.pullRequest('task-01'))!;
    expect(pr).toMatchObject({
      number: 7,
      status: 'merged',
      checksStatus: 'passing',
      headSha: 'sha-task-01-r2',
      mergeSha: 'merge-task-01',
    });
    expect(pr.checks).toEqual([expect.objectContaining({ name: 'ci', status: 'passing', headSha: 'sha-task-01-r2' })]);
    expect(pr.reviews).toEqual([
      expect.objectContaining({ verdict: 'approved', reviewer: 'alice', comments: [{ path: 'a.ts', line: 3, body: 'nice' }] }),
    ]);
    expect(pr.mergedAt).not.toBeNull();
    expect((await reads.workspace('task-01'))!.runId).toBe('task-01-r2');
    const stages = await reads.stageHistory('task-01');
    expect(stages[0]!.stage).toBe('queued');
    expect(stages.at(-1)).toMatchObject({ stage: 'done', leftAt: null });
    expect(stages.map((s) => s.stage)).toContain('checks');
    const first = await reads.timeline('task-01', { first: 3 });
    expect(first.rows.map((r) => r.type)).toEqual(['TaskCreated', 'RunScheduled', 'WorkspaceReady']);
    const rest = await reads.timeline('task-01', { first: 200, after: first.endCursor! });
    expect(first.totalCount).toBe(3 + rest.rows.length);
    expect(rest.rows.at(-1)!.type).toBe('TaskCompleted');
    expect(rest.rows.find((r) => r.type === 'RunFinished')!.runId).toBe('task-01-r1');
  });

  it('lists active workspaces, repositories, secrets without values, task counts and costs', async () => {
    const active = await reads.workspaces({ activeOnly: true });
    expect(active.length).toBeGreaterThan(0);
    expect(active.every((w) => w.status === 'provisioning' || w.status === 'ready')).toBe(true);
    expect((await reads.repos()).map((r) => [r.id, r.ciCommand])).toEqual([
      ['acme-api', 'npm run ci'],
      ['acme-web', 'npm run ci'],
    ]);
    expect(await reads.secrets()).toEqual([{ name: 'GH_TOKEN', scope: 'global', updatedAt: expect.any(String) }]);
    const counts = await reads.taskCounts();
    expect(Object.values(counts.byState).reduce((a, b) => a + b, 0)).toBe(12);
    const total = await reads.costs({ groupBy: [], from: '2026-01-01', to: '2026-12-31' });
    const tasks = await reads.tasks({}, { first: 200 });
    expect(total[0]!.costUsd).toBeCloseTo(
      tasks.rows.reduce((sum, t) => sum + t.costUsd, 0),
      9,
    );
    const byRepo = await reads.costs({ groupBy: ['repo', 'model'], from: '2026-03-01', to: '2026-03-31' });
    expect(byRepo.map((r) => r.repoId)).toEqual(['', 'acme-api', 'acme-web']);
    expect(byRepo.every((r) => r.model === 'sonnet' && r.day === undefined)).toBe(true);
  });

  it('shows a workspace as provisioning from the run being scheduled, then ready on the same row; one the run stopped waiting for is no longer active', async () => {
    const at = ticker(new Date('2026-03-03T10:00:00Z'));
    const waiting = taskHistory('task-ws', 'acme-web', 'in_progress', at);
    waiting.events.splice(2); // TaskCreated, RunScheduled: pod-manager has not answered yet
    const dropped = taskHistory('task-ws-cancelled', 'acme-web', 'in_progress', at);
    dropped.events.splice(2);
    dropped.events.push(ev('TaskCancelled', { reason: 'not needed' }, at()));
    await reads.waitFor(await h.append(waiting, dropped), 10_000);

    const provisioning = (await reads.workspaces({ activeOnly: true })).find((w) => w.taskId === 'task-ws');
    expect(provisioning).toMatchObject({
      id: 'task-ws.task-ws-r1',
      runId: 'task-ws-r1',
      repoId: 'acme-web',
      status: 'provisioning',
      branch: 'cohort/task-ws',
      path: '',
    });
    expect((await reads.workspaces({})).find((w) => w.taskId === 'task-ws-cancelled')).toMatchObject({ status: 'released' });
    expect((await reads.workspaces({ activeOnly: true })).some((w) => w.taskId === 'task-ws-cancelled')).toBe(false);

    const ready = ev(
      'WorkspaceReady',
      { runId: 'task-ws-r1', workspaceId: 'task-ws.task-ws-r1', path: '/data/ws/task-ws.task-ws-r1', branch: 'cohort/task-ws' },
      at(),
    );
    await reads.waitFor((await h.store.append({ type: 'task', id: 'task-ws' }, [ready], { expectedVersion: 'any' })).position, 10_000);
    const rows = (await reads.workspaces({})).filter((w) => w.taskId === 'task-ws');
    expect(rows).toEqual([
      expect.objectContaining({
        id: 'task-ws.task-ws-r1',
        status: 'ready',
        path: '/data/ws/task-ws.task-ws-r1',
        createdAt: provisioning!.createdAt,
      }),
    ]);
    expect((await reads.workspaces({ activeOnly: true })).some((w) => w.taskId === 'task-ws' && w.status === 'ready')).toBe(true);
  });

  it('rejects a cursor it did not give out and malformed cost days, naming the field', async () => {
    await expect(reads.tasks({}, { after: 'bm9wZQ' })).rejects.toThrow(InvalidReadQuery);
    await expect(reads.costs({ groupBy: ['day'], from: '2026-3-1', to: '2026-03-31' })).rejects.toThrow(/from must be a day/);
  });

  it('waits for a position the projector reaches, and reports ReadModelBehind when it does not', async () => {
    const at = ticker(new Date('2026-03-02T10:00:00Z'));
    const position = await h.append(taskHistory('task-late', 'acme-web', 'merged', at));
    await reads.waitFor(position, 10_000);
    expect((await reads.task('task-late'))!.state).toBe('completed');
    await expect(reads.waitFor(position + 1000, 300)).rejects.toThrow(ReadModelBehind);
  });

  it('answers nothing, the checkpoint included, until the projector has set the projections up', async () => {
    const fresh = await ProjectionHarness.create('readmodel-fresh');
    const early = new PostgresReadModel({ databaseUrl: fresh.db.url, schema: fresh.schema, pollIntervalMs: 20 });
    try {
      await expect(early.checkpoint()).rejects.toThrow(/not set up yet/);
      await expect(early.checkpoint()).rejects.toThrow(ReadModelUnavailable);
      await expect(early.tasks({}, {})).rejects.toThrow(ReadModelUnavailable);
      // waitFor keeps waiting for a projector that may be starting, then reports it is behind.
      await expect(early.waitFor(1, 200)).rejects.toThrow(ReadModelBehind);
      await fresh.startProjector();
      await waitFor(
        'the projections set up',
        async () => ((await early.checkpoint().catch(() => -1)) === 0 ? true : undefined),
        20_000,
        50,
      );
      expect((await early.tasks({}, {})).totalCount).toBe(0);
    } finally {
      await early.close();
      await fresh.dispose();
    }
  });

  it('fails with ReadModelUnavailable when Postgres cannot answer', async () => {
    const broken = new PostgresReadModel({ databaseUrl: 'postgres://postgres@127.0.0.1:1/none', schema: 'cohort' });
    try {
      await expect(broken.task('x')).rejects.toThrow(ReadModelUnavailable);
      await expect(broken.checkpoint()).rejects.toThrow(/unavailable while reading the checkpoint/);
    } finally {
      await broken.close();
    }
  });
});
