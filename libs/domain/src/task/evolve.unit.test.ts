import { describe, expect, it } from 'vitest';
import {
  CheckStatus,
  ResumeReason,
  ReviewVerdict,
  RunKind,
  RunOutcome,
  TaskKind,
  build,
  checks,
  created,
  e,
  failedRun,
  finished,
  prOpened,
  ready,
  review,
  scheduled,
  started,
  updated,
  withOpenPr,
} from '../../test/builders.js';
import { ErrorCategory, type TaskEvent } from '@cohort/contracts';
import { MissingTaskCreated, evolve, fold } from './evolve.js';
import { stageOf } from './stage.js';
import { currentRun, findRun, isPullRequestOpen, lastWorkRun } from './task-state.js';

describe('evolve', () => {
  it('starts a task queued, or waiting when it depends on others', () => {
    expect(build([created()]).status).toBe('queued');
    const waiting = build([created({ dependsOn: ['a'] })]);
    expect(waiting.status).toBe('waiting');
    expect(evolve(waiting, e('TaskDependenciesMet', {})).status).toBe('queued');
  });

  it('refuses a history that does not start with TaskCreated', () => {
    expect(() => evolve(undefined, e('TaskCancelled', {}))).toThrow(MissingTaskCreated);
  });

  it('folds an empty history to undefined', () => {
    expect(fold([])).toBeUndefined();
  });

  it('takes times and versions from envelopes', () => {
    const s = fold([
      { ...created(), occurredAt: '2026-01-01T00:00:00Z', version: 1 },
      { ...e('TaskPriorityChanged', { priority: 5 }), occurredAt: '2026-01-01T00:01:00Z', version: 2 },
    ])!;
    expect(s).toMatchObject({
      createdAt: '2026-01-01T00:00:00Z',
      updatedAt: '2026-01-01T00:01:00Z',
      version: 2,
      priority: 5,
      eventCount: 2,
    });
  });

  it('follows a run from scheduled to finished', () => {
    let s = build([created(), scheduled(1)]);
    expect(s.status).toBe('provisioning');
    expect(currentRun(s)?.status).toBe('scheduled');
    s = evolve(s, ready(1));
    expect(findRun(s, 't1-r1')).toMatchObject({ status: 'provisioning', workspaceId: 'ws-1' });
    s = evolve(s, started(1));
    expect(s.status).toBe('running');
    s = evolve(s, finished(1, { usage: { costUsd: 0.5, inputTokens: 10 } }));
    expect(s).toMatchObject({ status: 'running', currentRunId: undefined, totalCostUsd: 0.5 });
    expect(lastWorkRun(s)).toMatchObject({ outcome: RunOutcome.SUCCEEDED, pushedSha: 'sha1', summary: 'done' });
  });

  it('ignores a second RunScheduled while a run is active', () => {
    const s = build([created(), scheduled(1), scheduled(2)]);
    expect(s.runs).toHaveLength(1);
    expect(s.ignoredEvents).toBe(1);
  });

  it('applies a duplicate RunScheduled once', () => {
    const s = build([created(), scheduled(1), scheduled(1)]);
    expect(s.runs).toHaveLength(1);
    expect(s.ignoredEvents).toBe(0);
  });

  it('ignores events about unknown runs and pull requests', () => {
    const s = build([
      created(),
      started(9),
      finished(9),
      ready(9),
      e('RunUsageReported', { runId: 'x', usage: {} }),
      e('ChecksReported', { number: 1, headSha: 'a', status: 1 }),
    ]);
    expect(s.ignoredEvents).toBe(5);
    expect(s.status).toBe('queued');
  });

  it('keeps the first ending of a run and ignores later ones', () => {
    const s = build([created(), scheduled(1), started(1), e('RunTimedOut', { runId: 't1-r1' }), finished(1)]);
    expect(lastWorkRun(s)?.outcome).toBe(RunOutcome.TIMED_OUT);
  });

  it('records a timed-out run as a retryable timeout that names why it timed out', () => {
    const s = build([created(), scheduled(1), started(1), e('RunTimedOut', { runId: 't1-r1', reason: 'no heartbeat for 601s' })]);
    expect(lastWorkRun(s)?.error).toMatchObject({
      category: ErrorCategory.TIMEOUT,
      retryable: true,
      message: 'run t1-r1 timed out: no heartbeat for 601s',
    });
    const bare = build([created(), scheduled(1), started(1), e('RunTimedOut', { runId: 't1-r1' })]);
    expect(lastWorkRun(bare)?.error?.message).toBe('run t1-r1 timed out');
  });

  it('records when a run was scheduled, got its workspace and started', () => {
    const stamp = (ev: TaskEvent, occurredAt: string) => ({ ...ev, occurredAt });
    const s = build([
      created(),
      stamp(scheduled(1), '2026-01-01T10:00:00.000Z'),
      stamp(ready(1), '2026-01-01T10:01:00.000Z'),
      stamp(ready(1), '2026-01-01T10:05:00.000Z'),
      stamp(started(1), '2026-01-01T10:02:00.000Z'),
    ]);
    expect(lastWorkRun(s)).toMatchObject({
      scheduledAt: '2026-01-01T10:00:00.000Z',
      workspaceReadyAt: '2026-01-01T10:01:00.000Z',
      startedAt: '2026-01-01T10:02:00.000Z',
    });
  });

  it('puts a task that failed for a dependency back to waiting when it is retried', () => {
    const s = build([
      created({ dependsOn: ['a'] }),
      e('TaskFailed', { reason: 'dependency_cancelled: task a was cancelled' }),
      e('TaskRetryRequested', {}),
    ]);
    expect(s).toMatchObject({ status: 'waiting', failureReason: undefined, pendingRetry: false, dependenciesMet: false });
    const released = build([
      created({ dependsOn: ['a'] }),
      e('TaskFailed', { reason: 'x' }),
      e('TaskRetryRequested', {}),
      e('TaskDependenciesMet', {}),
    ]);
    expect(released.status).toBe('queued');
  });

  it('counts retries of a failed run and resets them on success paths', () => {
    const s = build([created(), scheduled(1), started(1), failedRun(1), scheduled(2), started(2), failedRun(2), scheduled(3)]);
    expect(s.retries).toBe(2);
  });

  it('returns to pr_opened when a resume run on an open PR ends', () => {
    const s = withOpenPr({}, [
      checks('sha1', CheckStatus.FAILING),
      scheduled(2, RunKind.RESUME, ResumeReason.CI_FAILURE, 'sha1'),
      started(2),
    ]);
    expect(s.status).toBe('running');
    expect(s.autoResumesSinceHuman).toBe(1);
    expect(evolve(s, finished(2, { headSha: 'sha2' })).status).toBe('pr_opened');
  });

  it('keeps review runs out of the task status and records one per head', () => {
    const s = withOpenPr({}, [scheduled(2, RunKind.REVIEW, 0, 'sha1'), started(2)]);
    expect(s.status).toBe('pr_opened');
    expect(s.reviewRunsByHead).toEqual({ sha1: 't1-r2' });
    expect(stageOf(s)).toBe('review');
    const done = evolve(s, finished(2));
    expect(done.currentRunId).toBeUndefined();
    expect(evolve(done, scheduled(3, RunKind.REVIEW, 0, 'sha1')).runs).toHaveLength(2);
  });

  it('ignores a review run scheduled before any PR exists', () => {
    expect(build([created(), scheduled(1, RunKind.REVIEW, 0, 'x')]).runs).toHaveLength(0);
  });

  it('records checks, reviews, conflicts and merges on the pull request', () => {
    let s = withOpenPr({}, [
      checks('sha1', CheckStatus.PASSING),
      review('sha1', ReviewVerdict.APPROVED),
      review('sha1', ReviewVerdict.APPROVED),
    ]);
    expect(s.pr?.reviews).toHaveLength(1);
    s = evolve(s, e('ConflictDetected', { number: 7, files: ['a'] }));
    expect(s.pr?.conflict).toMatchObject({ headSha: 'sha1', files: ['a'] });
    expect(evolve(s, updated('sha1')).pr?.conflict).toBeDefined();
    s = evolve(s, updated('sha2'));
    expect(s.pr).toMatchObject({ headSha: 'sha2', conflict: undefined });
    s = evolve(s, e('MergeRequested', { number: 7, headSha: 'sha2' }));
    expect(s.pr?.mergeRequestedForHead).toBe('sha2');
    s = evolve(s, e('MergeFailed', { number: 7 }));
    s = evolve(s, e('MergeFailed', { number: 7 }));
    expect(s.pr).toMatchObject({ mergeRequestedForHead: undefined, mergeFailedHeads: ['sha2'] });
    s = evolve(s, e('PullRequestMerged', { number: 7, mergeSha: 'm' }));
    expect(s.pr).toMatchObject({ merged: true, mergeSha: 'm' });
    expect(isPullRequestOpen(s)).toBe(false);
    expect(evolve(s, e('PullRequestClosed', { number: 7 })).pr?.closed).toBe(false);
  });

  it('applies a duplicate PullRequestOpened once', () => {
    const s = withOpenPr({}, [checks('sha1', CheckStatus.PASSING), prOpened('sha1')]);
    expect(s.pr?.checksByHead.sha1).toBeDefined();
  });

  it('moves a task back to pr_opened when a person acts on it while its PR is open', () => {
    const s = withOpenPr({}, [e('TaskNeedsAttention', { reason: 'auto_resume_limit' })]);
    expect(s.status).toBe('needs_attention');
    const retried = evolve(s, e('TaskRetryRequested', {}));
    expect(retried).toMatchObject({ status: 'pr_opened', attentionReason: undefined, pendingRetry: true, autoResumesSinceHuman: 0 });
    expect(evolve(s, e('MergeApproved', {}))).toMatchObject({ status: 'pr_opened', mergeApproved: true });
  });

  it('ignores user intents that make no sense in the current status', () => {
    const queued = build([created()]);
    expect(evolve(queued, e('TaskRetryRequested', {})).pendingRetry).toBe(false);
    expect(evolve(queued, e('TaskResumeRequested', { message: 'x' })).pendingResumeMessage).toBeUndefined();
    expect(evolve(queued, e('MergeApproved', {})).mergeApproved).toBe(false);
    const done = build([created(), e('TaskCancelled', {})]);
    expect(evolve(done, e('TaskPriorityChanged', { priority: 9 })).priority).toBe(0);
    expect(evolve(done, e('TaskCompleted', {})).status).toBe('cancelled');
    expect(evolve(done, e('TaskCreated', created().data)).ignoredEvents).toBe(1);
  });

  it('clears the pending user message once its run is scheduled', () => {
    const s = withOpenPr({}, [e('TaskResumeRequested', { message: 'hi' })]);
    expect(s.pendingResumeMessage).toBe('hi');
    const next = evolve(s, scheduled(2, RunKind.RESUME, ResumeReason.USER_MESSAGE, 'sha1'));
    expect(next.pendingResumeMessage).toBeUndefined();
    expect(next.autoResumesSinceHuman).toBe(0);
  });

  it('marks attention, failure, completion and the closed ticket', () => {
    const s = build([created(), scheduled(1), e('TaskNeedsAttention', { reason: 'r' })]);
    expect(s).toMatchObject({ status: 'needs_attention', attentionReason: 'r', currentRunId: undefined });
    const f = evolve(s, e('TaskFailed', { reason: 'f' }));
    expect(f).toMatchObject({ status: 'failed', failureReason: 'f' });
    const c = fold([{ ...e('TaskCompleted', {}), occurredAt: '2026-02-02T00:00:00Z' }, e('TicketClosed', {})], withOpenPr())!;
    expect(c).toMatchObject({ status: 'completed', completedAt: '2026-02-02T00:00:00Z', ticketClosed: true });
    expect(evolve(c, e('WorkspaceReleased', { runId: 't1-r1' })).status).toBe('completed');
  });

  it('lets a run stopped by a status change finish without moving the task', () => {
    const s = build([
      created(),
      scheduled(1),
      started(1),
      e('TaskNeedsAttention', { reason: 'budget_exceeded' }),
      finished(1, { outcome: RunOutcome.CANCELLED }),
    ]);
    expect(s.status).toBe('needs_attention');
    expect(lastWorkRun(s)?.outcome).toBe(RunOutcome.CANCELLED);
  });

  it('ignores RunStarted for a run that already started or ended', () => {
    const s = build([created(), scheduled(1), started(1), started(1)]);
    expect(s.ignoredEvents).toBe(0);
    expect(build([created(), scheduled(1), failedRun(1), started(1)]).status).toBe('provisioning');
  });

  it('opens the PR from a failed or attention state and returns to it', () => {
    const s = build([created(), scheduled(1), started(1), finished(1), e('TaskNeedsAttention', { reason: 'x' }), prOpened()]);
    expect(s.status).toBe('pr_opened');
    expect(build([created(), prOpened()]).status).toBe('queued');
  });

  it('keeps standalone task fields', () => {
    expect(build([created({ kind: TaskKind.STANDALONE, repoId: '' })]).kind).toBe(TaskKind.STANDALONE);
  });
});

describe('stageOf', () => {
  const cases: [string, () => ReturnType<typeof build>, string][] = [
    ['queued for a new task', () => build([created()]), 'queued'],
    ['queued for a waiting task', () => build([created({ dependsOn: ['x'] })]), 'queued'],
    ['setup while provisioning', () => build([created(), scheduled(1)]), 'setup'],
    ['running while the agent works', () => build([created(), scheduled(1), started(1)]), 'running'],
    ['pr after a repo run succeeded', () => build([created(), scheduled(1), started(1), finished(1)]), 'pr'],
    [
      'running for a standalone run that succeeded',
      () => build([created({ kind: TaskKind.STANDALONE }), scheduled(1), started(1), finished(1)]),
      'running',
    ],
    ['checks while checks are pending', () => withOpenPr(), 'checks'],
    ['checks are skipped when no checks count as passing', () => withOpenPr({ noChecksIsPassing: true }), 'merge'],
    ['review while approval is missing', () => withOpenPr({ approvalRequired: true }, [checks('sha1', CheckStatus.PASSING)]), 'review'],
    [
      'merge when approved by a person',
      () => withOpenPr({ approvalRequired: true }, [checks('sha1', CheckStatus.PASSING), e('MergeApproved', {})]),
      'merge',
    ],
    [
      'review while the review agent has not looked',
      () => withOpenPr({ reviewAgent: { enabled: true } }, [checks('sha1', CheckStatus.PASSING)]),
      'review',
    ],
    [
      'merge when everything passed',
      () => withOpenPr({ approvalRequired: true }, [checks('sha1', CheckStatus.PASSING), review('sha1', ReviewVerdict.APPROVED)]),
      'merge',
    ],
    ['merge once requested', () => withOpenPr({}, [e('MergeRequested', { number: 7, headSha: 'sha1' })]), 'merge'],
    ['running during a resume on the PR', () => withOpenPr({}, [scheduled(2, RunKind.RESUME, ResumeReason.CI_FAILURE, 'sha1')]), 'setup'],
    ['done when merged', () => withOpenPr({}, [e('PullRequestMerged', { number: 7 })]), 'done'],
    ['done when failed', () => build([created(), e('TaskFailed', { reason: 'x' })]), 'done'],
    ['the PR stage when attention is needed on a PR', () => withOpenPr({}, [e('TaskNeedsAttention', { reason: 'x' })]), 'checks'],
    [
      'running when attention is needed after a run',
      () => build([created(), scheduled(1), e('TaskNeedsAttention', { reason: 'x' })]),
      'running',
    ],
    ['queued when attention is needed before any run', () => build([created(), e('TaskNeedsAttention', { reason: 'x' })]), 'queued'],
  ];
  it.each(cases)('is %s', (_name, state, stage) => {
    expect(stageOf(state())).toBe(stage);
  });

  it('reports running while a resume run works on the PR', () => {
    const s = withOpenPr({}, [
      e('TaskNeedsAttention', { reason: 'x' }),
      e('TaskResumeRequested', { message: 'go' }),
      scheduled(2, RunKind.RESUME, ResumeReason.USER_MESSAGE, 'sha1'),
      started(2),
    ]);
    expect(stageOf({ ...s, status: 'pr_opened' })).toBe('running');
  });
});

describe('evolve ignores events that would break the transition table', () => {
  const finals = {
    completed: () => withOpenPr({}, [e('PullRequestMerged', { number: 7 }), e('TaskCompleted', {})]),
    cancelled: () => build([created(), e('TaskCancelled', {})]),
  };
  const movers = {
    TaskCancelled: e('TaskCancelled', {}),
    TaskFailed: e('TaskFailed', { reason: 'x' }),
    TaskNeedsAttention: e('TaskNeedsAttention', { reason: 'x' }),
    TaskCompleted: e('TaskCompleted', {}),
    RunScheduled: scheduled(5),
    TaskDependenciesMet: e('TaskDependenciesMet', {}),
    TaskRetryRequested: e('TaskRetryRequested', {}),
  };
  const rows = Object.entries(finals).flatMap(([status, state]) =>
    Object.entries(movers).map(([type, event]) => ({ status, type, state, event })),
  );
  it.each(rows)('keeps a $status task $status on $type', ({ status, state, event }) => {
    const before = state();
    const after = evolve(before, event);
    expect(after.status).toBe(status);
    expect(after.runs).toEqual(before.runs);
  });

  it.each([
    ['waiting', () => build([created({ dependsOn: ['x'] })]), scheduled(1)],
    ['queued', () => build([created()]), e('TaskCompleted', {})],
    ['failed', () => build([created(), e('TaskFailed', { reason: 'x' })]), e('TaskNeedsAttention', { reason: 'y' })],
    ['waiting', () => build([created({ dependsOn: ['x'] })]), e('TaskNeedsAttention', { reason: 'y' })],
  ])('keeps a %s task where it is on an event it cannot take', (status, state, event) => {
    const before = state();
    const after = evolve(before, event);
    expect(after.status).toBe(status);
    expect(after.ignoredEvents).toBe(before.ignoredEvents + 1);
  });
});
