import { existsSync } from 'node:fs';
import { randomUUID } from 'node:crypto';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import {
  CheckStatus,
  CommandErrorCode,
  create,
  MergeRequestedSchema,
  ReviewVerdict,
  RunKind,
  SubmitReviewSchema,
  TaskCancelledSchema,
  TaskCreatedSchema,
  TaskKind,
} from '@cohort/contracts';
import { LocalGitForge } from '@cohort/forges';
import { CommandClient } from '@cohort/messaging';
import { gitSync } from '@cohort/testing';
import { prScenario, pullRequestRequested, runFinished, runScheduled, type PrScenario } from '../test/harness.js';

/** The forge's store directory, from a pull request's `file:` URL (`<store>/pulls/NNNNNN.json`). */
const forgeStoreOf = (url: string) => dirname(dirname(fileURLToPath(url)));

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function setup(label: string): Promise<PrScenario> {
  const s = await prScenario(label);
  cleanups.push(() => s.dispose());
  return s;
}

const FIX = { 'sum.js': 'export const sum = (a, b) => a + b;\n' };
const FIX_AND_OK = { ...FIX, ok: 'yes\n' };

const mergeRequested = (number: number, headSha: string) => ({
  id: randomUUID(),
  type: 'MergeRequested' as const,
  data: create(MergeRequestedSchema, { number, headSha }),
});

describe('pr-watcher', () => {
  it('opens the pull request once when PullRequestRequested is delivered twice, and reports its checks', async () => {
    const s = await setup('openonce');
    const head = await s.openPullRequest(FIX_AND_OK);
    await s.append(pullRequestRequested(s.taskId, head));

    const opened = await s.waitForEvent('PullRequestOpened');
    expect(opened.data).toMatchObject({ number: 1, branch: s.branch, baseBranch: 'main', headSha: head });
    expect(opened.data.url.startsWith('file://')).toBe(true);
    expect(existsSync(fileURLToPath(opened.data.url))).toBe(true);
    const checks = await s.waitForEvent('ChecksReported');
    expect(checks.data).toMatchObject({ number: 1, headSha: head, status: CheckStatus.PASSING });
    expect(checks.data.checks.map((c) => [c.name, c.status])).toEqual([['ci', CheckStatus.PASSING]]);

    await new Promise((r) => setTimeout(r, 1000));
    expect(await s.all('PullRequestOpened')).toHaveLength(1);
    expect(await s.all('ChecksReported')).toHaveLength(1);
  });

  it('reports failing CI with the output tail, then passing checks of the new head after a resume run pushes a fix', async () => {
    const s = await setup('cifail');
    const head = await s.openPullRequest(FIX);
    const failing = await s.waitForEvent('ChecksReported');
    expect(failing.data).toMatchObject({ headSha: head, status: CheckStatus.FAILING });
    expect(failing.data.checks[0]!.status).toBe(CheckStatus.FAILING);
    expect(failing.data.checks[0]!.outputTail).toContain('ok file is missing');

    const fixed = s.push(s.branch, { ok: 'yes\n' }, 'add ok');
    await s.append(runScheduled(`${s.taskId}-r2`, RunKind.RESUME, 2), runFinished(`${s.taskId}-r2`, fixed));
    const updated = await s.waitForEvent('PullRequestUpdated');
    expect(updated.data).toMatchObject({ number: 1, headSha: fixed });
    const passing = await s.waitForEvent('ChecksReported', (e) => e.data.headSha === fixed);
    expect(passing.data.status).toBe(CheckStatus.PASSING);
  });

  it('records reviews submitted with the SubmitReview command, and refuses bad ones with clear errors', async () => {
    const s = await setup('review');
    const client = new CommandClient(s.ctx.nc, s.ctx.topology);
    const send = (init: Parameters<typeof create<typeof SubmitReviewSchema>>[1]) =>
      client.send('pr-watcher', 'SubmitReview', SubmitReviewSchema, init!, { timeoutMs: 10_000 });

    const unknown = await send({ taskId: 'no-such-task', verdict: ReviewVerdict.APPROVED });
    expect(unknown).toMatchObject({ ok: false, error: { code: CommandErrorCode.NOT_FOUND } });
    if (!unknown.ok) expect(unknown.error.message).toContain('"no-such-task"');

    await s.append({
      id: randomUUID(),
      type: 'TaskCreated',
      data: create(TaskCreatedSchema, { taskId: s.taskId, kind: TaskKind.REPO, title: 'Fix sum', repoId: s.repoId, agent: 'scripted' }),
    });
    const noPr = await send({ taskId: s.taskId, verdict: ReviewVerdict.APPROVED });
    expect(noPr).toMatchObject({ ok: false, error: { code: CommandErrorCode.CONFLICT } });

    const badVerdict = await send({ taskId: s.taskId, verdict: ReviewVerdict.UNSPECIFIED });
    expect(badVerdict).toMatchObject({ ok: false, error: { code: CommandErrorCode.VALIDATION, field: 'verdict' } });

    const head = s.push(s.branch, FIX_AND_OK);
    await s.append(runScheduled(`${s.taskId}-r1`), runFinished(`${s.taskId}-r1`, head), pullRequestRequested(s.taskId, head));
    await s.waitForEvent('PullRequestOpened');

    const changes = await send({
      taskId: s.taskId,
      verdict: ReviewVerdict.CHANGES_REQUESTED,
      body: 'Almost.',
      comments: [{ path: 'sum.js', line: 1, body: 'Name the parameters.' }],
    });
    expect(changes.ok).toBe(true);
    const approved = await send({ taskId: s.taskId, verdict: ReviewVerdict.APPROVED, body: 'Good now.' });
    expect(approved.ok).toBe(true);

    const reviews = await s.all('ReviewSubmitted');
    expect(reviews.map((r) => r.data.verdict)).toEqual([ReviewVerdict.CHANGES_REQUESTED, ReviewVerdict.APPROVED]);
    expect(reviews[0]!.data).toMatchObject({ number: 1, headSha: head, body: 'Almost.', byAgent: false });
    expect(reviews[0]!.data.comments.map((c) => [c.path, c.line, c.body])).toEqual([['sum.js', 1, 'Name the parameters.']]);
    if (changes.ok) expect(changes.value.eventIds).toEqual([reviews[0]!.id]);

    const badLine = await send({ taskId: s.taskId, verdict: ReviewVerdict.COMMENTED, comments: [{ path: 'sum.js', line: 0, body: 'x' }] });
    expect(badLine).toMatchObject({ ok: false, error: { code: CommandErrorCode.VALIDATION, field: 'comments[0].line' } });
  });

  it('records the review agent’s verdict from its RunFinished as a review by the agent', async () => {
    const s = await setup('agentreview');
    const head = await s.openPullRequest(FIX_AND_OK);
    await s.waitForEvent('ChecksReported');
    const reviewRun = `${s.taskId}-r2`;
    await s.append(
      runScheduled(reviewRun, RunKind.REVIEW, 2),
      runFinished(reviewRun, head, { reviewVerdict: ReviewVerdict.APPROVED, summary: 'Looks right.' }),
    );
    const review = await s.waitForEvent('ReviewSubmitted');
    expect(review.data).toMatchObject({
      number: 1,
      verdict: ReviewVerdict.APPROVED,
      byAgent: true,
      runId: reviewRun,
      body: 'Looks right.',
    });
  });

  it('detects a conflict when the base moves with a conflicting change to the same lines', async () => {
    const s = await setup('conflict');
    const head = await s.openPullRequest(FIX_AND_OK);
    await s.waitForEvent('ChecksReported');
    expect(await s.service.pollConflicts()).toBe(0);

    const base = s.push('main', { 'sum.js': 'export const sum = (x, y) => x * y;\n' }, 'multiply');
    expect(await s.service.pollConflicts()).toBe(1);
    const conflict = await s.waitForEvent('ConflictDetected');
    expect(conflict.data).toMatchObject({ number: 1, headSha: head, baseSha: base, files: ['sum.js'] });
    expect(await s.service.pollConflicts()).toBe(0);
    expect(await s.all('ConflictDetected')).toHaveLength(1);
  });

  it('squash-merges exactly once when MergeRequested is delivered twice', async () => {
    const s = await setup('merge');
    const head = await s.openPullRequest(FIX_AND_OK);
    await s.waitForEvent('ChecksReported');
    const baseBefore = gitSync(s.origin, 'rev-parse', 'main');

    await s.append(mergeRequested(1, head), mergeRequested(1, head));
    const merged = await s.waitForEvent('PullRequestMerged');
    await new Promise((r) => setTimeout(r, 1000));

    expect(await s.all('PullRequestMerged')).toHaveLength(1);
    expect(gitSync(s.origin, 'rev-list', '--count', `${baseBefore}..main`)).toBe('1');
    expect(gitSync(s.origin, 'rev-parse', 'main')).toBe(merged.data.mergeSha);
    expect(gitSync(s.origin, 'rev-parse', `${merged.data.mergeSha}^`)).toBe(baseBefore);
    expect(gitSync(s.origin, 'show', 'main:sum.js')).toBe('export const sum = (a, b) => a + b;');
    expect(gitSync(s.origin, 'log', '-1', '--format=%s', 'main')).toBe('Fix sum');
  });

  it('refuses to merge a head that moved since the merge was requested', async () => {
    const s = await setup('headmoved');
    const head = await s.openPullRequest(FIX_AND_OK);
    await s.waitForEvent('ChecksReported');
    s.push(s.branch, { 'extra.txt': 'unchecked\n' }, 'unchecked change');
    const baseBefore = gitSync(s.origin, 'rev-parse', 'main');

    await s.append(mergeRequested(1, head));
    const failed = await s.waitForEvent('MergeFailed');
    expect(failed.data.error).toMatchObject({ title: 'Head moved', retryable: false });
    expect(gitSync(s.origin, 'rev-parse', 'main')).toBe(baseBefore);
    expect(await s.all('PullRequestMerged')).toHaveLength(0);
  });

  it('refuses a merge whose base moved with a conflicting change: ConflictDetected with the file, then MergeFailed', async () => {
    const s = await setup('mergeconflict');
    const head = await s.openPullRequest(FIX_AND_OK);
    await s.waitForEvent('ChecksReported');
    const base = s.push('main', { 'sum.js': 'export const sum = (x, y) => x * y;\n' }, 'multiply');

    await s.append(mergeRequested(1, head));
    const failed = await s.waitForEvent('MergeFailed');
    expect(failed.data.error).toMatchObject({ title: 'Merge conflict', retryable: false });
    const conflict = await s.waitForEvent('ConflictDetected');
    expect(conflict.data).toMatchObject({ number: 1, headSha: head, files: ['sum.js'] });
    expect(gitSync(s.origin, 'rev-parse', 'main')).toBe(base);
  });

  it('closes the open pull request once when the task is cancelled, even when the cancel is delivered twice', async () => {
    const s = await setup('cancel');
    const head = await s.openPullRequest(FIX_AND_OK);
    const opened = await s.waitForEvent('PullRequestOpened');
    await s.waitForEvent('ChecksReported');
    const forge = new LocalGitForge({ originPath: s.origin, storeDir: forgeStoreOf(opened.data.url) });
    const before = await forge.getPullRequest(opened.data.number);
    expect(before.ok && before.value.state).toBe('open');

    const cancelled = {
      id: randomUUID(),
      type: 'TaskCancelled' as const,
      data: create(TaskCancelledSchema, { reason: 'not needed', by: 'test' }),
    };
    await s.append(cancelled);
    const closed = await s.waitForEvent('PullRequestClosed');
    expect(closed.data.number).toBe(opened.data.number);
    const after = await forge.getPullRequest(opened.data.number);
    expect(after.ok && after.value).toMatchObject({ state: 'closed', headSha: head });
    // Closed, not merged: the base has not moved.
    expect(gitSync(s.origin, 'rev-parse', 'main')).toBe(gitSync(s.origin, 'rev-parse', `${head}~1`));

    await s.append({ ...cancelled, id: randomUUID() });
    await new Promise((r) => setTimeout(r, 1000));
    expect(await s.all('PullRequestClosed')).toHaveLength(1);
  });

  it('closes nothing when a task without a pull request is cancelled', async () => {
    const s = await setup('cancelnopr');
    await s.append(
      {
        id: randomUUID(),
        type: 'TaskCreated',
        data: create(TaskCreatedSchema, {
          taskId: s.taskId,
          kind: TaskKind.REPO,
          title: 'x',
          repoId: s.repoId,
          baseBranch: 'main',
          agent: 'scripted',
        }),
      },
      { id: randomUUID(), type: 'TaskCancelled', data: create(TaskCancelledSchema, { reason: 'not needed' }) },
    );
    await new Promise((r) => setTimeout(r, 1000));
    expect((await s.events()).map((e) => e.type)).toEqual(['TaskCreated', 'TaskCancelled']);
  });

  it('asks for attention when the requested branch has nothing to merge', async () => {
    const s = await setup('empty');
    gitSync(s.origin, 'branch', s.branch, 'main');
    const head = gitSync(s.origin, 'rev-parse', s.branch);
    await s.append(
      {
        id: randomUUID(),
        type: 'TaskCreated',
        data: create(TaskCreatedSchema, { taskId: s.taskId, kind: TaskKind.REPO, title: 'Fix sum', repoId: s.repoId, agent: 'scripted' }),
      },
      pullRequestRequested(s.taskId, head),
    );
    const attention = await s.waitForEvent('TaskNeedsAttention');
    expect(attention.data.reason).toBe('non_retryable_error');
    expect(attention.data.detail).toContain(`the pull request for ${s.branch} could not be opened`);
    expect(await s.all('PullRequestOpened')).toHaveLength(0);
  });
});
