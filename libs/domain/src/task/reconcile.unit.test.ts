import { describe, expect, it } from 'vitest';
import {
  CheckStatus,
  ResumeReason,
  ReviewTrigger,
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
  world,
  type PolicyInit,
} from '../../test/builders.js';
import { ErrorCategory, type TaskEvent } from '@cohort/contracts';
import { DEFAULT_POLICY, backoffDelayMs, resolvePolicy } from '../policy.js';
import { reconcile, type World } from './reconcile.js';
import type { TaskState } from './task-state.js';

const at = (event: TaskEvent, occurredAt: string) => ({ ...event, occurredAt });
const ran = (attempt = 1): TaskEvent[] => [scheduled(attempt), ready(attempt), started(attempt)];
const usage = (costUsd: number, attempt = 1) => e('RunUsageReported', { runId: `t1-r${attempt}`, usage: { costUsd, model: 'm' } });
const ciFail = (head = 'sha1') =>
  checks(head, CheckStatus.FAILING, [
    { name: 'unit', status: CheckStatus.FAILING, outputTail: 'expected 1 got 2' },
    { name: 'lint', status: CheckStatus.PASSING },
  ]);
const resumeRun = (attempt: number, reason: ResumeReason, head: string, pushed = head): TaskEvent[] => [
  scheduled(attempt, RunKind.RESUME, reason, head),
  started(attempt),
  finished(attempt, { headSha: pushed }),
];
const passing = (policy: PolicyInit = {}, extra: TaskEvent[] = []) => withOpenPr(policy, [checks('sha1', CheckStatus.PASSING), ...extra]);

interface Case {
  name: string;
  state: () => TaskState | undefined;
  world?: Partial<World>;
  expect: Record<string, unknown> | null;
}

const cases: Case[] = [
  // final and settled tasks
  { name: 'yields nothing for an unknown task', state: () => undefined, expect: null },
  {
    name: 'yields nothing for a completed task',
    state: () => withOpenPr({}, [e('PullRequestMerged', { number: 7 }), e('TaskCompleted', {})]),
    expect: null,
  },
  {
    name: 'yields nothing for a cancelled task, even with a run still going',
    state: () => build([created(), ...ran(), e('TaskCancelled', {})]),
    world: { heartbeatAgeMs: 10 ** 9 },
    expect: null,
  },
  {
    name: 'yields nothing for a failed task nobody retried',
    state: () => build([created(), e('TaskFailed', { reason: 'x' })]),
    expect: null,
  },

  // dependencies
  {
    name: 'keeps a task waiting while a dependency is not completed',
    state: () => build([created({ dependsOn: ['a', 'b'] })]),
    world: { completedTaskIds: ['a'] },
    expect: null,
  },
  {
    name: 'releases a waiting task once every dependency completed',
    state: () => build([created({ dependsOn: ['a', 'b'] })]),
    world: { completedTaskIds: ['b', 'a'] },
    expect: { type: 'ReleaseDependencies', id: 't1:dependencies-met' },
  },
  {
    name: 'keeps a waiting task waiting when no completed ids are known',
    state: () => build([created({ dependsOn: ['a'] })]),
    expect: null,
  },

  {
    name: 'releases a waiting task once every dependency is reported completed',
    state: () => build([created({ dependsOn: ['a', 'b'] })]),
    world: { completedTaskIds: ['a'], dependencies: { b: { outcome: 'completed', detail: '' } } },
    expect: { type: 'ReleaseDependencies' },
  },
  {
    name: 'keeps a task waiting while a dependency is still pending',
    state: () => build([created({ dependsOn: ['a', 'b'] })]),
    world: { dependencies: { a: { outcome: 'completed', detail: '' }, b: { outcome: 'pending', detail: '' } } },
    expect: null,
  },
  {
    name: 'fails a waiting task whose dependency was cancelled, naming the dependency',
    state: () => build([created({ dependsOn: ['a', 'b'] })]),
    world: { dependencies: { a: { outcome: 'completed', detail: '' }, b: { outcome: 'cancelled', detail: '' } } },
    expect: {
      type: 'FailTask',
      id: 't1:fail:v1:dependency_cancelled',
      reason: 'dependency_cancelled',
      detail: 'task b, which this task depends on, was cancelled, so this task cannot start',
      error: expect.objectContaining({ category: ErrorCategory.STATE, retryable: false }),
    },
  },
  {
    name: 'fails a waiting task whose dependency failed, saying why it failed and how to go on',
    state: () => build([created({ dependsOn: ['a'] })]),
    world: { dependencies: { a: { outcome: 'failed', detail: 'retries_exhausted: run a-r4 failed' } } },
    expect: {
      type: 'FailTask',
      reason: 'dependency_failed',
      detail: 'task a, which this task depends on, failed (retries_exhausted: run a-r4 failed), so this task cannot start',
      error: expect.objectContaining({ remedy: expect.stringContaining('Retry task a, then retry this task') }),
    },
  },
  {
    name: 'fails on a failed dependency with no reason known without an empty pair of parentheses',
    state: () => build([created({ dependsOn: ['a'] })]),
    world: { dependencies: { a: { outcome: 'failed', detail: '' } } },
    expect: { type: 'FailTask', detail: 'task a, which this task depends on, failed, so this task cannot start' },
  },
  {
    name: 'waits again for its dependencies after a retry of a task failed for one',
    state: () => build([created({ dependsOn: ['a'] }), e('TaskFailed', { reason: 'dependency_failed: x' }), e('TaskRetryRequested', {})]),
    world: { dependencies: { a: { outcome: 'pending', detail: '' } } },
    expect: null,
  },
  {
    name: 'fails again, with a new id, when retried while the dependency is still cancelled',
    state: () =>
      build([created({ dependsOn: ['a'] }), e('TaskFailed', { reason: 'dependency_cancelled: x' }), e('TaskRetryRequested', {})]),
    world: { dependencies: { a: { outcome: 'cancelled', detail: '' } } },
    expect: { type: 'FailTask', id: 't1:fail:v3:dependency_cancelled' },
  },
  {
    name: 'starts a task retried after its dependency was retried and completed',
    state: () => build([created({ dependsOn: ['a'] }), e('TaskFailed', { reason: 'dependency_failed: x' }), e('TaskRetryRequested', {})]),
    world: { dependencies: { a: { outcome: 'completed', detail: '' } } },
    expect: { type: 'ReleaseDependencies' },
  },

  // scheduling and capacity
  {
    name: 'schedules the initial run with a deterministic run id and branch when capacity allows',
    state: () => build([created()]),
    expect: {
      type: 'ScheduleRun',
      runId: 't1-r1',
      attempt: 1,
      kind: RunKind.INITIAL,
      branch: 'cohort/t1',
      agent: 'scripted',
      model: 'claude-sonnet-4',
      notBefore: '',
      id: 't1:schedule:t1-r1',
    },
  },
  {
    name: 'does not schedule when no global slot is free',
    state: () => build([created()]),
    world: { capacity: { globalFree: 0, perRepoFree: { 'acme/web': 3 } } },
    expect: null,
  },
  {
    name: 'does not schedule when the repository has no free slot',
    state: () => build([created()]),
    world: { capacity: { globalFree: 5, perRepoFree: { 'acme/web': 0 } } },
    expect: null,
  },
  {
    name: 'limits a repository not listed per repo by the global slots only',
    state: () => build([created()]),
    world: { capacity: { globalFree: 1, perRepoFree: {} } },
    expect: { type: 'ScheduleRun', runId: 't1-r1' },
  },
  {
    name: 'schedules a standalone task without a branch and regardless of repository limits',
    state: () => build([created({ kind: TaskKind.STANDALONE, repoId: '', policy: undefined })]),
    world: { capacity: { globalFree: 1, perRepoFree: { '': 0 } } },
    expect: { type: 'ScheduleRun', branch: '' },
  },
  {
    name: 'does not schedule a standalone task without a global slot',
    state: () => build([created({ kind: TaskKind.STANDALONE, repoId: '' })]),
    world: { capacity: { globalFree: 0, perRepoFree: {} } },
    expect: null,
  },

  // runs in flight and stalls
  {
    name: 'waits while a scheduled run is provisioning',
    state: () => build([created(), scheduled(1), ready(1)]),
    world: { heartbeatAgeMs: 10 ** 9 },
    expect: null,
  },
  {
    name: 'waits while a running run has a fresh heartbeat',
    state: () => build([created(), ...ran()]),
    world: { heartbeatAgeMs: 1000 },
    expect: null,
  },
  { name: 'waits while the heartbeat age of a running run is unknown', state: () => build([created(), ...ran()]), expect: null },
  {
    name: 'times out a running run whose heartbeat is older than the stall threshold',
    state: () => build([created(), ...ran()]),
    world: { heartbeatAgeMs: DEFAULT_POLICY.stallThresholdMs + 1 },
    expect: { type: 'TimeOutRun', runId: 't1-r1', id: 't1:timeout:t1-r1' },
  },
  {
    name: 'does not time out a run exactly at the stall threshold',
    state: () => build([created(), ...ran()]),
    world: { heartbeatAgeMs: DEFAULT_POLICY.stallThresholdMs },
    expect: null,
  },
  {
    name: 'uses the stall threshold of the given policy',
    state: () => build([created(), ...ran()]),
    world: { heartbeatAgeMs: 5_001, policy: resolvePolicy({ stallThresholdMs: 5_000 }) },
    expect: { type: 'TimeOutRun' },
  },
  {
    name: 'waits for a stopped run to report its end before a retry',
    state: () => build([created(), ...ran(), e('TaskNeedsAttention', { reason: 'budget_exceeded' }), e('TaskRetryRequested', {})]),
    world: { heartbeatAgeMs: 1000 },
    expect: null,
  },
  {
    name: 'times out a stopped run whose heartbeat stalled so a retry can go on',
    state: () => build([created(), ...ran(), e('TaskNeedsAttention', { reason: 'x' }), e('TaskRetryRequested', {})]),
    world: { heartbeatAgeMs: 10 ** 9 },
    expect: { type: 'TimeOutRun', runId: 't1-r1' },
  },
  {
    name: 'times out a stalled review run too',
    state: () =>
      withOpenPr({ reviewAgent: { enabled: true } }, [scheduled(2, RunKind.REVIEW, ResumeReason.UNSPECIFIED, 'sha1'), started(2)]),
    world: { heartbeatAgeMs: 10 ** 9 },
    expect: { type: 'TimeOutRun', runId: 't1-r2' },
  },

  // runs stuck before they start: pod-manager down, a WorkspaceReady lost
  {
    name: 'times out a run still scheduled past the provisioning timeout, saying it had no workspace',
    state: () => build([created(), at(scheduled(1), '2026-01-01T11:49:59.000Z')]),
    expect: {
      type: 'TimeOutRun',
      runId: 't1-r1',
      id: 't1:timeout:t1-r1',
      reason: 'stuck in scheduled: no workspace was ready 601s after the run could start (provisioning timeout 600s)',
    },
  },
  {
    name: 'lets a scheduled run wait exactly the provisioning timeout',
    state: () => build([created(), at(scheduled(1), '2026-01-01T11:50:00.000Z')]),
    expect: null,
  },
  {
    name: 'counts a retry’s provisioning time from its notBefore, not from when it was scheduled',
    state: () =>
      build([
        created(),
        ...ran(1),
        failedRun(1),
        at(scheduled(2, RunKind.INITIAL, ResumeReason.UNSPECIFIED, '', '2026-01-01T11:55:00.000Z'), '2026-01-01T11:00:00.000Z'),
      ]),
    expect: null,
  },
  {
    name: 'times out a retry still scheduled past the provisioning timeout after its notBefore',
    state: () =>
      build([
        created(),
        ...ran(1),
        failedRun(1),
        at(scheduled(2, RunKind.INITIAL, ResumeReason.UNSPECIFIED, '', '2026-01-01T11:45:00.000Z'), '2026-01-01T11:00:00.000Z'),
      ]),
    expect: { type: 'TimeOutRun', runId: 't1-r2', reason: expect.stringContaining('stuck in scheduled: no workspace was ready 900s') },
  },
  {
    name: 'counts from the notBefore when the time it was scheduled is unknown',
    state: () => build([created(), scheduled(1, RunKind.INITIAL, ResumeReason.UNSPECIFIED, '', '2026-01-01T11:00:00.000Z')]),
    expect: { type: 'TimeOutRun', reason: expect.stringContaining('stuck in scheduled') },
  },
  {
    name: 'times out a run whose workspace is ready but whose agent never started, saying so',
    state: () => build([created(), at(scheduled(1), '2026-01-01T11:40:00.000Z'), at(ready(1), '2026-01-01T11:49:00.000Z')]),
    expect: {
      type: 'TimeOutRun',
      runId: 't1-r1',
      reason: 'stuck in provisioning: the workspace was ready but the agent had not started 660s later (provisioning timeout 600s)',
    },
  },
  {
    name: 'gives the agent the whole provisioning timeout from its WorkspaceReady',
    state: () => build([created(), at(scheduled(1), '2026-01-01T11:40:00.000Z'), at(ready(1), '2026-01-01T11:51:00.000Z')]),
    expect: null,
  },
  {
    name: 'counts provisioning from the scheduling when the WorkspaceReady time is unknown',
    state: () => build([created(), at(scheduled(1), '2026-01-01T11:40:00.000Z'), ready(1)]),
    expect: { type: 'TimeOutRun', reason: expect.stringContaining('stuck in provisioning') },
  },
  {
    name: 'uses the provisioning timeout of the given policy',
    state: () => build([created(), at(scheduled(1), '2026-01-01T11:59:00.000Z')]),
    world: { policy: resolvePolicy({ provisioningTimeoutMs: 30_000 }) },
    expect: { type: 'TimeOutRun', reason: expect.stringContaining('(provisioning timeout 30s)') },
  },
  {
    name: 'times out a stuck scheduled review run too',
    state: () =>
      withOpenPr({ reviewAgent: { enabled: true } }, [
        at(scheduled(2, RunKind.REVIEW, ResumeReason.UNSPECIFIED, 'sha1'), '2026-01-01T11:00:00.000Z'),
      ]),
    expect: { type: 'TimeOutRun', runId: 't1-r2', reason: expect.stringContaining('stuck in scheduled') },
  },
  {
    name: 'retries a run timed out while stuck in scheduled',
    state: () =>
      build([created(), at(scheduled(1), '2026-01-01T11:00:00.000Z'), e('RunTimedOut', { runId: 't1-r1', reason: 'stuck in scheduled' })]),
    expect: { type: 'ScheduleRun', runId: 't1-r2', attempt: 2 },
  },

  // maximum run duration: an agent that hangs keeps its heartbeat going
  {
    name: 'times out a running run past the maximum run duration even while its heartbeat is fresh',
    state: () => build([created(), scheduled(1), ready(1), at(started(1), '2026-01-01T10:59:59.000Z')]),
    world: { heartbeatAgeMs: 1000 },
    expect: {
      type: 'TimeOutRun',
      runId: 't1-r1',
      id: 't1:timeout:t1-r1',
      reason: 'running for 3601s, longer than the maximum run duration of 3600s',
    },
  },
  {
    name: 'lets a run go on exactly at the maximum run duration',
    state: () => build([created(), scheduled(1), ready(1), at(started(1), '2026-01-01T11:00:00.000Z')]),
    world: { heartbeatAgeMs: 1000 },
    expect: null,
  },
  {
    name: 'uses the maximum run duration of the given policy',
    state: () => build([created(), scheduled(1), ready(1), at(started(1), '2026-01-01T11:59:00.000Z')]),
    world: { policy: resolvePolicy({ maxRunDurationMs: 59_000 }) },
    expect: { type: 'TimeOutRun', reason: expect.stringContaining('maximum run duration of 59s') },
  },
  {
    name: 'names the stalled heartbeat first when a run is both stalled and over the maximum duration',
    state: () => build([created(), scheduled(1), ready(1), at(started(1), '2026-01-01T00:00:00.000Z')]),
    world: { heartbeatAgeMs: 10 ** 9 },
    expect: { type: 'TimeOutRun', reason: expect.stringContaining('no heartbeat') },
  },
  {
    name: 'times out a review run past the maximum run duration',
    state: () =>
      withOpenPr({ reviewAgent: { enabled: true } }, [
        scheduled(2, RunKind.REVIEW, ResumeReason.UNSPECIFIED, 'sha1'),
        at(started(2), '2026-01-01T10:00:00.000Z'),
      ]),
    expect: { type: 'TimeOutRun', runId: 't1-r2', reason: expect.stringContaining('maximum run duration') },
  },
  {
    name: 'times out a stopped run past the maximum run duration so a retry can go on',
    state: () =>
      build([
        created(),
        scheduled(1),
        ready(1),
        at(started(1), '2026-01-01T10:00:00.000Z'),
        e('TaskNeedsAttention', { reason: 'x' }),
        e('TaskRetryRequested', {}),
      ]),
    expect: { type: 'TimeOutRun', runId: 't1-r1' },
  },
  {
    name: 'ignores a start time it cannot read',
    state: () => build([created(), scheduled(1), ready(1), at(started(1), 'not a time')]),
    expect: null,
  },
  {
    name: 'retries a run timed out for its duration, as a timeout',
    state: () =>
      build([created(), ...ran(), at(e('RunTimedOut', { runId: 't1-r1', reason: 'running for 3601s' }), '2026-01-01T11:00:00.000Z')]),
    expect: { type: 'ScheduleRun', runId: 't1-r2', kind: RunKind.INITIAL, notBefore: expect.stringMatching(/^2026-01-01T11:0/) },
  },
  {
    name: 'fails the task with a timeout error once a run timed out with the retries used up',
    state: () => build([created({ maxRetries: 1 }), ...ran(1), failedRun(1), ...ran(2), e('RunTimedOut', { runId: 't1-r2', reason: 'r' })]),
    expect: {
      type: 'FailTask',
      reason: 'retries_exhausted',
      error: expect.objectContaining({ category: ErrorCategory.TIMEOUT, retryable: true, message: 'run t1-r2 timed out: r' }),
    },
  },

  // failures and retries
  {
    name: 'retries a failed run with the same kind after a backoff from when it failed',
    state: () => build([created(), ...ran(), at(failedRun(1), '2026-01-01T11:00:00.000Z')]),
    expect: {
      type: 'ScheduleRun',
      runId: 't1-r2',
      attempt: 2,
      kind: RunKind.INITIAL,
      notBefore: new Date(Date.parse('2026-01-01T11:00:00Z') + backoffDelayMs(DEFAULT_POLICY, 1, 1, 't1-r2')).toISOString(),
    },
  },
  {
    name: 'counts the backoff from now when the failure time is unknown',
    state: () => build([created(), ...ran(), failedRun(1)]),
    expect: {
      type: 'ScheduleRun',
      notBefore: new Date(Date.parse('2026-01-01T12:00:00Z') + backoffDelayMs(DEFAULT_POLICY, 1, 1, 't1-r2')).toISOString(),
    },
  },
  {
    name: 'retries a run that timed out',
    state: () => build([created(), ...ran(), e('RunTimedOut', { runId: 't1-r1' })]),
    expect: { type: 'ScheduleRun', runId: 't1-r2', kind: RunKind.INITIAL },
  },
  {
    name: 'retries a run whose workspace could not be provisioned',
    state: () =>
      build([
        created(),
        scheduled(1),
        e('WorkspaceFailed', { runId: 't1-r1', error: { message: 'ECONNRESET', retryable: true, category: 4 } }),
      ]),
    expect: { type: 'ScheduleRun', runId: 't1-r2' },
  },
  {
    name: 'fails the task once the retries are used up',
    state: () => build([created(), ...ran(1), failedRun(1), ...ran(2), failedRun(2), ...ran(3), failedRun(3), ...ran(4), failedRun(4)]),
    expect: { type: 'FailTask', reason: 'retries_exhausted' },
  },
  {
    name: 'uses the task retry limit over the policy default',
    state: () => build([created({ maxRetries: 1 }), ...ran(1), failedRun(1), ...ran(2), failedRun(2)]),
    expect: { type: 'FailTask', reason: 'retries_exhausted' },
  },
  {
    name: 'reports a timed-out last run when failing for exhausted retries',
    state: () => build([created({ maxRetries: 1 }), ...ran(1), failedRun(1), ...ran(2), e('RunTimedOut', { runId: 't1-r2' })]),
    expect: { type: 'FailTask', detail: expect.stringContaining('timed out') },
  },
  {
    name: 'asks for attention instead of retrying an error that is not retryable',
    state: () => build([created(), ...ran(), failedRun(1, 'Bad credentials', false)]),
    expect: { type: 'MarkNeedsAttention', reason: 'non_retryable_error', detail: expect.stringContaining('Bad credentials') },
  },
  {
    name: 'names the remedy of a non-retryable error',
    state: () =>
      build([
        created(),
        ...ran(),
        finished(1, {
          outcome: RunOutcome.FAILED,
          error: { message: 'denied', retryable: false, category: 2, title: 'Credentials were rejected', remedy: 'Update the token' },
        }),
      ]),
    expect: { type: 'MarkNeedsAttention', detail: 'Credentials were rejected: denied — Update the token' },
  },
  {
    name: 'retries an unclassified error even if marked not retryable',
    state: () => build([created(), ...ran(), finished(1, { outcome: RunOutcome.FAILED, error: { message: 'boom', retryable: false } })]),
    expect: { type: 'ScheduleRun', runId: 't1-r2' },
  },
  {
    name: 'asks for attention when the run was cancelled under it',
    state: () => build([created(), ...ran(), finished(1, { outcome: RunOutcome.CANCELLED })]),
    expect: { type: 'MarkNeedsAttention', reason: 'run_cancelled' },
  },
  {
    name: 'retries a failed resume run with its reason and context',
    state: () => withOpenPr({}, [ciFail(), scheduled(2, RunKind.RESUME, ResumeReason.CI_FAILURE, 'sha1'), started(2), failedRun(2)]),
    expect: { type: 'ScheduleRun', runId: 't1-r3', kind: RunKind.RESUME, reason: ResumeReason.CI_FAILURE, headSha: 'sha1' },
  },
  {
    name: 'does not retry without capacity',
    state: () => build([created(), ...ran(), failedRun(1)]),
    world: { capacity: { globalFree: 0, perRepoFree: {} } },
    expect: null,
  },

  // run success
  {
    name: 'completes a standalone task whose run succeeded',
    state: () => build([created({ kind: TaskKind.STANDALONE, repoId: '' }), ...ran(), finished(1, { summary: 'report written' })]),
    expect: { type: 'CompleteTask', summary: 'report written' },
  },
  {
    name: 'requests the pull request for the pushed head with Closes #N',
    state: () => build([created(), ...ran(), finished(1, { summary: 'Fixed SSO' })]),
    expect: {
      type: 'RequestPullRequest',
      branch: 'cohort/t1',
      baseBranch: 'main',
      headSha: 'sha1',
      title: 'Fix the login bug',
      body: 'Fixed SSO\n\nCloses #42',
      draft: false,
      id: 't1:pull-request:sha1',
    },
  },
  {
    name: 'leaves out the issue reference when the task has no issue',
    state: () => build([created({ source: undefined }), ...ran(), finished(1, { summary: 'Fixed' })]),
    expect: { type: 'RequestPullRequest', body: 'Fixed' },
  },
  {
    name: 'requests a draft pull request in cautious mode',
    state: () => build([created({ policyInit: { cautious: true } }), ...ran(), finished(1)]),
    expect: { type: 'RequestPullRequest', draft: true },
  },
  {
    name: 'waits for the pull request it already requested',
    state: () =>
      build([
        created(),
        ...ran(),
        finished(1),
        e('PullRequestRequested', { branch: 'b', baseBranch: 'main', title: 't', headSha: 'sha1' }),
      ]),
    expect: null,
  },
  {
    name: 'asks for attention when the agent succeeded without changes on a repo task',
    state: () => build([created(), ...ran(), finished(1, { hasChanges: false })]),
    expect: { type: 'MarkNeedsAttention', reason: 'no_changes' },
  },

  // the pull request: checks
  { name: 'waits while no checks were reported for the head', state: () => withOpenPr(), expect: null },
  { name: 'waits while checks are pending', state: () => withOpenPr({}, [checks('sha1', CheckStatus.PENDING)]), expect: null },
  {
    name: 'requests the merge when checks pass and the repository merges automatically',
    state: () => passing(),
    expect: { type: 'RequestMerge', number: 7, headSha: 'sha1', id: 't1:merge:7:sha1' },
  },
  { name: 'ignores checks reported for another head', state: () => withOpenPr({}, [checks('old', CheckStatus.PASSING)]), expect: null },
  {
    name: 'counts no checks at all as passing when the repository says so',
    state: () => withOpenPr({ noChecksIsPassing: true }),
    expect: { type: 'RequestMerge' },
  },
  {
    name: 'counts an empty check report as passing when the repository says so',
    state: () => withOpenPr({ noChecksIsPassing: true }, [checks('sha1', CheckStatus.UNSPECIFIED, [])]),
    expect: { type: 'RequestMerge' },
  },
  {
    name: 'asks for attention when a PR has no checks and the repository does not count that as passing',
    state: () => withOpenPr({}, [checks('sha1', CheckStatus.UNSPECIFIED, [])]),
    expect: { type: 'MarkNeedsAttention', reason: 'no_checks' },
  },
  {
    name: 'resumes the agent with the failing check names and output when CI fails',
    state: () => withOpenPr({}, [ciFail()]),
    expect: {
      type: 'ScheduleRun',
      kind: RunKind.RESUME,
      reason: ResumeReason.CI_FAILURE,
      headSha: 'sha1',
      runId: 't1-r2',
      context: expect.objectContaining({ failingChecks: [expect.objectContaining({ name: 'unit', outputTail: 'expected 1 got 2' })] }),
    },
  },
  {
    name: 'passes every check when none is marked failing individually',
    state: () => withOpenPr({}, [checks('sha1', CheckStatus.FAILING, [{ name: 'ci', status: CheckStatus.UNSPECIFIED }])]),
    expect: { type: 'ScheduleRun', context: expect.objectContaining({ failingChecks: [expect.objectContaining({ name: 'ci' })] }) },
  },
  {
    name: 'asks for attention when CI fails again on a head a resume did not change',
    state: () => withOpenPr({}, [ciFail(), ...resumeRun(2, ResumeReason.CI_FAILURE, 'sha1')]),
    expect: { type: 'MarkNeedsAttention', reason: 'resume_without_progress' },
  },
  {
    name: 'resumes again when CI fails on the new head a resume pushed',
    state: () => withOpenPr({}, [ciFail(), ...resumeRun(2, ResumeReason.CI_FAILURE, 'sha1', 'sha2'), updated('sha2'), ciFail('sha2')]),
    expect: { type: 'ScheduleRun', runId: 't1-r3', headSha: 'sha2', reason: ResumeReason.CI_FAILURE },
  },
  {
    name: 'waits for the PR to show the commits a resume pushed before deciding again',
    state: () => withOpenPr({}, [ciFail(), ...resumeRun(2, ResumeReason.CI_FAILURE, 'sha1', 'sha2')]),
    expect: null,
  },
  {
    name: 'stops resuming at the auto-resume cap and asks for attention',
    state: () => capped(10),
    expect: { type: 'MarkNeedsAttention', reason: 'auto_resume_limit', detail: expect.stringContaining('10 automatic resumes') },
  },
  { name: 'resumes below the auto-resume cap', state: () => capped(9), expect: { type: 'ScheduleRun', reason: ResumeReason.CI_FAILURE } },
  {
    name: 'uses the task resume cap over the policy default',
    state: () => capped(2, 2),
    expect: { type: 'MarkNeedsAttention', reason: 'auto_resume_limit' },
  },
  {
    name: 'does not resume for CI without capacity',
    state: () => withOpenPr({}, [ciFail()]),
    world: { capacity: { globalFree: 0, perRepoFree: {} } },
    expect: null,
  },

  // reviews
  {
    name: 'resumes with the review comments (path:line and body) when changes are requested',
    state: () =>
      withOpenPr({}, [
        review('sha1', ReviewVerdict.CHANGES_REQUESTED, {
          body: 'needs tests',
          comments: [{ path: 'src/a.ts', line: 3, body: 'off by one' }],
        }),
      ]),
    expect: {
      type: 'ScheduleRun',
      reason: ResumeReason.REVIEW,
      context: expect.objectContaining({
        reviewBody: 'needs tests',
        reviewComments: [expect.objectContaining({ path: 'src/a.ts', line: 3, body: 'off by one' })],
      }),
    },
  },
  {
    name: 'applies a review without head to the head at the time',
    state: () => withOpenPr({}, [review('', ReviewVerdict.CHANGES_REQUESTED)]),
    expect: { type: 'ScheduleRun', reason: ResumeReason.REVIEW },
  },
  {
    name: 'follows the latest verdict on a head: approval after changes requested merges',
    state: () =>
      passing({}, [review('sha1', ReviewVerdict.CHANGES_REQUESTED), review('sha1', ReviewVerdict.APPROVED, { reviewer: 'bob' })]),
    expect: { type: 'RequestMerge' },
  },
  {
    name: 'does not resume for a comment-only review',
    state: () => passing({}, [review('sha1', ReviewVerdict.COMMENTED)]),
    expect: { type: 'RequestMerge' },
  },
  {
    name: 'ignores a change request on an older head',
    state: () =>
      withOpenPr({}, [
        review('sha1', ReviewVerdict.CHANGES_REQUESTED),
        ...resumeRun(2, ResumeReason.REVIEW, 'sha1', 'sha2'),
        updated('sha2'),
        checks('sha2', CheckStatus.PASSING),
      ]),
    expect: { type: 'RequestMerge', headSha: 'sha2' },
  },
  {
    name: 'asks for attention when a review resume pushed nothing new',
    state: () => withOpenPr({}, [review('sha1', ReviewVerdict.CHANGES_REQUESTED), ...resumeRun(2, ResumeReason.REVIEW, 'sha1')]),
    expect: { type: 'MarkNeedsAttention', reason: 'resume_without_progress' },
  },

  // conflicts
  {
    name: 'resumes to rebase when the branch conflicts with its base',
    state: () => withOpenPr({}, [e('ConflictDetected', { number: 7, headSha: 'sha1', baseSha: 'base9', files: ['a.ts'] })]),
    expect: {
      type: 'ScheduleRun',
      reason: ResumeReason.CONFLICT,
      context: expect.objectContaining({ conflictingFiles: ['a.ts'], baseSha: 'base9' }),
    },
  },
  {
    name: 'handles a conflict before failing checks',
    state: () => withOpenPr({}, [ciFail(), e('ConflictDetected', { number: 7, baseSha: 'b' })]),
    expect: { type: 'ScheduleRun', reason: ResumeReason.CONFLICT },
  },
  {
    name: 'forgets a conflict once new commits land',
    state: () =>
      withOpenPr({}, [e('ConflictDetected', { number: 7, headSha: 'sha1' }), updated('sha2'), checks('sha2', CheckStatus.PASSING)]),
    expect: { type: 'RequestMerge', headSha: 'sha2' },
  },
  {
    name: 'counts conflict resumes against the cap',
    state: () => ({ ...withOpenPr({}, [e('ConflictDetected', { number: 7 })]), autoResumesSinceHuman: 10 }),
    expect: { type: 'MarkNeedsAttention', reason: 'auto_resume_limit' },
  },

  // review agent
  {
    name: 'launches the review agent when the PR opens, with its own agent and model',
    state: () => withOpenPr({ reviewAgent: { enabled: true, trigger: ReviewTrigger.ON_PR_OPENED, agent: 'reviewer', model: 'opus' } }),
    expect: { type: 'ScheduleRun', kind: RunKind.REVIEW, headSha: 'sha1', agent: 'reviewer', model: 'opus', runId: 't1-r2' },
  },
  {
    name: 'uses the task agent for the review agent when none is set',
    state: () => withOpenPr({ reviewAgent: { enabled: true } }),
    expect: { type: 'ScheduleRun', kind: RunKind.REVIEW, agent: 'scripted' },
  },
  {
    name: 'launches the review agent at most once per head commit',
    state: () => passing({ reviewAgent: { enabled: true } }, [scheduled(2, RunKind.REVIEW, 0, 'sha1'), started(2), finished(2)]),
    expect: { type: 'RequestMerge' },
  },
  {
    name: 'launches the review agent again for a new head commit',
    state: () =>
      withOpenPr({ reviewAgent: { enabled: true } }, [scheduled(2, RunKind.REVIEW, 0, 'sha1'), started(2), finished(2), updated('sha2')]),
    expect: { type: 'ScheduleRun', kind: RunKind.REVIEW, headSha: 'sha2' },
  },
  {
    name: 'waits for passing checks before the review agent when the repository says so',
    state: () =>
      withOpenPr({ reviewAgent: { enabled: true, trigger: ReviewTrigger.ON_CHECKS_PASSED } }, [checks('sha1', CheckStatus.PENDING)]),
    expect: null,
  },
  {
    name: 'launches the review agent on passing checks when the repository says so',
    state: () => passing({ reviewAgent: { enabled: true, trigger: ReviewTrigger.ON_CHECKS_PASSED } }),
    expect: { type: 'ScheduleRun', kind: RunKind.REVIEW },
  },
  {
    name: 'does not launch a disabled review agent',
    state: () => passing({ reviewAgent: { enabled: false } }),
    expect: { type: 'RequestMerge' },
  },
  {
    name: 'waits while the review agent runs',
    state: () => passing({ reviewAgent: { enabled: true } }, [scheduled(2, RunKind.REVIEW, 0, 'sha1'), started(2)]),
    world: { heartbeatAgeMs: 1 },
    expect: null,
  },
  {
    name: 'resumes when the review agent requests changes',
    state: () =>
      passing({ reviewAgent: { enabled: true } }, [
        scheduled(2, RunKind.REVIEW, 0, 'sha1'),
        started(2),
        finished(2),
        review('sha1', ReviewVerdict.CHANGES_REQUESTED, { byAgent: true, runId: 't1-r2' }),
      ]),
    expect: { type: 'ScheduleRun', kind: RunKind.RESUME, reason: ResumeReason.REVIEW },
  },

  // merge conditions
  {
    name: 'never requests a merge twice for the same PR',
    state: () => passing({}, [e('MergeRequested', { number: 7, headSha: 'sha1' })]),
    expect: null,
  },
  {
    name: 'waits for the merge outcome even when the head moved',
    state: () => passing({}, [e('MergeRequested', { number: 7, headSha: 'sha1' }), updated('sha2'), checks('sha2', CheckStatus.PASSING)]),
    expect: null,
  },
  {
    name: 'asks for attention when the merge of this head failed',
    state: () =>
      passing({}, [
        e('MergeRequested', { number: 7, headSha: 'sha1' }),
        e('MergeFailed', { number: 7, error: { message: 'base branch was modified' } }),
      ]),
    expect: { type: 'MarkNeedsAttention', reason: 'merge_failed', detail: expect.stringContaining('base branch was modified') },
  },
  {
    name: 'explains a merge failure without an error message',
    state: () => passing({}, [e('MergeRequested', { number: 7, headSha: 'sha1' }), e('MergeFailed', { number: 7 })]),
    expect: { type: 'MarkNeedsAttention', detail: expect.stringContaining('refused') },
  },
  {
    name: 'requests the merge of a new head after an earlier head failed to merge',
    state: () =>
      passing({}, [
        e('MergeRequested', { number: 7, headSha: 'sha1' }),
        e('MergeFailed', { number: 7 }),
        updated('sha2'),
        checks('sha2', CheckStatus.PASSING),
      ]),
    expect: { type: 'RequestMerge', headSha: 'sha2' },
  },
  {
    name: 'waits for a person to merge when the repository does not merge automatically',
    state: () => passing({ autoMerge: false }),
    expect: null,
  },
  {
    name: 'requests the merge after an explicit approval when auto-merge is off',
    state: () => passing({ autoMerge: false }, [e('MergeApproved', {})]),
    expect: { type: 'RequestMerge' },
  },
  {
    name: 'does not carry a merge approval over to new commits',
    state: () => withOpenPr({ cautious: true }, [e('MergeApproved', {}), updated('sha2'), checks('sha2', CheckStatus.PASSING)]),
    expect: null,
  },
  { name: 'never merges in cautious mode without an explicit approval', state: () => passing({ cautious: true }), expect: null },
  {
    name: 'merges in cautious mode once a person approved the merge',
    state: () => passing({ cautious: true }, [e('MergeApproved', {})]),
    expect: { type: 'RequestMerge' },
  },
  {
    name: 'waits for an approving review when the repository requires one',
    state: () => passing({ approvalRequired: true }),
    expect: null,
  },
  {
    name: 'merges with an approving review on the current head',
    state: () => passing({ approvalRequired: true }, [review('sha1', ReviewVerdict.APPROVED)]),
    expect: { type: 'RequestMerge' },
  },
  {
    name: 'does not count an approval of an older head',
    state: () =>
      withOpenPr({ approvalRequired: true }, [
        review('sha1', ReviewVerdict.APPROVED),
        updated('sha2'),
        checks('sha2', CheckStatus.PASSING),
      ]),
    expect: null,
  },
  { name: 'waits while a blocking subtask is open', state: () => passing(), world: { openSubtaskIds: ['t2'] }, expect: null },
  {
    name: 'merges once no blocking subtask is open',
    state: () => passing(),
    world: { openSubtaskIds: [] },
    expect: { type: 'RequestMerge' },
  },

  // the end of the pull request
  {
    name: 'completes the task when its PR merged',
    state: () => passing({}, [e('MergeRequested', { number: 7, headSha: 'sha1' }), e('PullRequestMerged', { number: 7, mergeSha: 'm' })]),
    expect: { type: 'CompleteTask', id: 't1:complete' },
  },
  {
    name: 'completes a failed task whose PR merged anyway',
    state: () => withOpenPr({}, [e('TaskFailed', { reason: 'x' }), e('PullRequestMerged', { number: 7 })]),
    expect: { type: 'CompleteTask' },
  },
  {
    name: 'fails the task when its PR was closed without merging',
    state: () => withOpenPr({}, [e('PullRequestClosed', { number: 7 })]),
    expect: { type: 'FailTask', reason: 'pull_request_closed' },
  },
  {
    name: 'leaves a failed task with a closed PR alone, even when retried',
    state: () =>
      withOpenPr({}, [e('PullRequestClosed', { number: 7 }), e('TaskFailed', { reason: 'closed' }), e('TaskRetryRequested', {})]),
    expect: null,
  },

  // budget
  {
    name: 'stops a running run that reached the budget and asks for attention',
    state: () => build([created({ budgetUsd: 1 }), ...ran(), usage(1.2)]),
    expect: { type: 'MarkNeedsAttention', reason: 'budget_exceeded', detail: 'spent $1.20 of a $1.00 budget' },
  },
  {
    name: 'asks for attention before another run when the budget is spent',
    state: () => build([created({ budgetUsd: 1 }), ...ran(), finished(1, { usage: { costUsd: 1 } })]),
    expect: { type: 'MarkNeedsAttention', reason: 'budget_exceeded' },
  },
  {
    name: 'fails a task over budget when a person asks it to continue',
    state: () =>
      build([
        created({ budgetUsd: 1 }),
        ...ran(),
        failedRun(1),
        usage(2),
        e('TaskNeedsAttention', { reason: 'budget_exceeded' }),
        e('TaskRetryRequested', {}),
      ]),
    expect: { type: 'FailTask', reason: 'budget_exceeded' },
  },
  {
    name: 'leaves an over-budget task that needs attention alone',
    state: () => build([created({ budgetUsd: 1 }), ...ran(), usage(2), e('TaskNeedsAttention', { reason: 'budget_exceeded' })]),
    expect: null,
  },
  { name: 'treats a budget of 0 as unlimited', state: () => build([created({ budgetUsd: 0 }), ...ran(), usage(1000)]), expect: null },
  {
    name: 'applies the policy default budget to tasks without one',
    state: () => build([created(), ...ran(), usage(6)]),
    world: { policy: resolvePolicy({ defaultBudgetUsd: 5 }) },
    expect: { type: 'MarkNeedsAttention', reason: 'budget_exceeded' },
  },

  // user intents
  {
    name: 'leaves a task that needs attention alone until a person acts',
    state: () => build([created(), ...ran(), finished(1, { hasChanges: false }), e('TaskNeedsAttention', { reason: 'no_changes' })]),
    expect: null,
  },
  {
    name: 'reruns the last run right away when a person retries a task that needs attention',
    state: () =>
      build([
        created(),
        ...ran(),
        finished(1, { hasChanges: false }),
        e('TaskNeedsAttention', { reason: 'no_changes' }),
        e('TaskRetryRequested', {}),
      ]),
    expect: { type: 'ScheduleRun', runId: 't1-r2', kind: RunKind.INITIAL, notBefore: '' },
  },
  {
    name: 'reruns a failed task right away when a person retries it',
    state: () =>
      build([
        created({ maxRetries: 1 }),
        ...ran(1),
        failedRun(1),
        ...ran(2),
        failedRun(2),
        e('TaskFailed', { reason: 'retries_exhausted' }),
        e('TaskRetryRequested', {}),
      ]),
    expect: { type: 'ScheduleRun', runId: 't1-r3', notBefore: '' },
  },
  {
    name: 'reruns a failed run when a person retries after a non-retryable error',
    state: () =>
      build([
        created(),
        ...ran(),
        failedRun(1, 'denied', false),
        e('TaskNeedsAttention', { reason: 'non_retryable_error' }),
        e('TaskRetryRequested', {}),
      ]),
    expect: { type: 'ScheduleRun', runId: 't1-r2' },
  },
  {
    name: 'resumes with the user message',
    state: () => withOpenPr({}, [e('TaskResumeRequested', { message: 'use the v2 API' })]),
    expect: {
      type: 'ScheduleRun',
      kind: RunKind.RESUME,
      reason: ResumeReason.USER_MESSAGE,
      headSha: 'sha1',
      context: expect.objectContaining({ message: 'use the v2 API' }),
    },
  },
  {
    name: 'resumes a task that needs attention with the user message',
    state: () =>
      build([
        created(),
        ...ran(),
        finished(1, { hasChanges: false }),
        e('TaskNeedsAttention', { reason: 'no_changes' }),
        e('TaskResumeRequested', { message: 'try again' }),
      ]),
    expect: { type: 'ScheduleRun', reason: ResumeReason.USER_MESSAGE, headSha: '' },
  },
  {
    name: 'keeps a user message until the running run ends',
    state: () => build([created(), ...ran(), e('TaskResumeRequested', { message: 'also update docs' })]),
    world: { heartbeatAgeMs: 1 },
    expect: null,
  },
  {
    name: 'resumes automatically again after a person acted on a task at the resume cap',
    state: () => {
      const s = capped(10);
      return build([...historyOf(s), e('TaskNeedsAttention', { reason: 'auto_resume_limit' }), e('TaskRetryRequested', {})]);
    },
    expect: { type: 'ScheduleRun', reason: ResumeReason.CI_FAILURE },
  },
];

// A task whose CI keeps failing on fresh heads, with `n` automatic resumes behind it.
const histories = new WeakMap<TaskState, TaskEvent[]>();
function capped(n: number, cap = 0): TaskState {
  const events: TaskEvent[] = [created({ maxAutoResumes: cap }), ...ran(), finished(1), prOpened('sha1'), ciFail('sha1')];
  for (let i = 0; i < n; i++) {
    const head = `sha${i + 1}`;
    const next = `sha${i + 2}`;
    events.push(...resumeRun(i + 2, ResumeReason.CI_FAILURE, head, next), updated(next), ciFail(next));
  }
  const state = build(events);
  histories.set(state, events);
  return state;
}
function historyOf(state: TaskState): TaskEvent[] {
  return histories.get(state)!;
}

describe('reconcile', () => {
  it('has well over 60 table cases', () => {
    expect(cases.length).toBeGreaterThan(60);
  });

  it.each(cases)('$name', ({ state, world: w, expect: expected }) => {
    const actions = reconcile(state(), world(w));
    if (expected === null) expect(actions).toEqual([]);
    else {
      expect(actions).toHaveLength(1);
      expect(actions[0]).toMatchObject(expected);
    }
  });

  it('returns equal actions for equal inputs', () => {
    const s = build([created(), ...ran(), failedRun(1)]);
    expect(reconcile(s, world({ seed: 'abc' }))).toEqual(reconcile(s, world({ seed: 'abc' })));
  });

  it('varies the retry delay with the seed', () => {
    const s = build([created(), ...ran(), failedRun(1)]);
    const delays = new Set(['a', 'b', 'c', 'd'].map((seed) => (reconcile(s, world({ seed }))[0] as { notBefore: string }).notBefore));
    expect(delays.size).toBeGreaterThan(1);
  });

  it('grows the retry delay exponentially', () => {
    const p = resolvePolicy({ backoffJitter: 0 });
    const first = build([created(), ...ran(1), at(failedRun(1), '2026-01-01T00:00:00.000Z')]);
    const second = build([created(), ...ran(1), failedRun(1), ...ran(2), at(failedRun(2), '2026-01-01T00:00:00.000Z')]);
    const delay = (s: TaskState) =>
      Date.parse((reconcile(s, world({ policy: p }))[0] as { notBefore: string }).notBefore) - Date.parse('2026-01-01T00:00:00Z');
    expect(delay(first)).toBe(30_000);
    expect(delay(second)).toBe(60_000);
  });
});
