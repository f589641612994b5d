import {
  CheckStatus,
  ErrorCategory,
  ResumeContextSchema,
  ResumeReason,
  ReviewTrigger,
  ReviewVerdict,
  RunKind,
  RunOutcome,
  TaskKind,
  create,
  type ErrorInfo,
  type ResumeContext,
} from '@cohort/contracts';
import { DEFAULT_POLICY, backoffDelayMs, type Policy } from '../policy.js';
import type { Action, AttentionReason, FailureReason } from './actions.js';
import { reconcileDependencies, type DependencyState } from './dependencies.js';
import { failed } from './evolve.js';
import { overdueReason } from './run-deadline.js';
import { currentRun, lastWorkRun, type ChecksState, type ReviewState, type RunState, type TaskState } from './task-state.js';
import { isFinal } from './transitions.js';

export interface Capacity {
  /** Run slots free over the whole installation. */
  readonly globalFree: number;
  /** Run slots free per repository id; a repository not listed is limited by `globalFree` only. */
  readonly perRepoFree: Readonly<Record<string, number>>;
}

/** The world as the scheduler sees it when it reconciles one task. */
export interface World {
  /** Epoch milliseconds or RFC 3339. */
  readonly now: number | string;
  readonly capacity: Capacity;
  /**
   * Milliseconds since the last heartbeat of the task's active run (the current
   * one, or one stopped by a status change that has not reported its end yet);
   * undefined when unknown or when no run is active.
   */
  readonly heartbeatAgeMs?: number | undefined;
  /** Seed for retry jitter; the same seed gives the same delays. */
  readonly seed: number | string;
  /** Tasks known to be completed (for `dependsOn`). */
  readonly completedTaskIds?: Iterable<string>;
  /** Where the tasks of `dependsOn` stand, by id; a waiting task fails when one was cancelled or failed. */
  readonly dependencies?: Readonly<Record<string, DependencyState>>;
  /** Blocking subtasks of this task that are not completed yet; the merge waits for them. */
  readonly openSubtaskIds?: readonly string[];
  /** @default DEFAULT_POLICY */
  readonly policy?: Policy;
}

export const runIdFor = (taskId: string, attempt: number): string => `${taskId}-r${attempt}`;
export const branchFor = (taskId: string): string => `cohort/${taskId}`;

export function toEpochMs(now: number | string): number {
  return typeof now === 'number' ? now : Date.parse(now);
}

export function toIso(ms: number): string {
  return new Date(ms).toISOString();
}

/**
 * Level-triggered: looks only at the folded state and the world, never at which
 * event arrived, so a missed or repeated event changes nothing. Returns at most
 * one action; the scheduler appends it and reconciles again.
 */
export function reconcile(state: TaskState | undefined, world: World): readonly Action[] {
  if (state === undefined || isFinal(state.status)) return [];
  const policy = world.policy ?? DEFAULT_POLICY;
  const pr = state.pr;

  if (pr?.merged) return [{ type: 'CompleteTask', id: `${state.id}:complete`, summary: `pull request #${pr.number} merged` }];
  if (state.status === 'failed' && !state.pendingRetry && state.pendingResumeMessage === undefined) return [];
  if (pr?.closed) {
    return state.status === 'failed' ? [] : [fail(state, 'pull_request_closed', `pull request #${pr.number} was closed without merging`)];
  }
  if (state.status === 'waiting') return reconcileDependencies(state, world.dependencies ?? {}, world.completedTaskIds ?? []);

  const run = currentRun(state);
  const overBudget = budgetReached(state, policy);
  if (run !== undefined && run.status !== 'finished') {
    if (overBudget) return [attention(state, 'budget_exceeded', budgetDetail(state, policy))];
    return timeOutIfOverdue(state, run, world, policy);
  }

  const humanIntent = state.pendingRetry || state.pendingResumeMessage !== undefined;
  if (overBudget) {
    if (state.status === 'needs_attention' || state.status === 'failed') {
      return humanIntent ? [fail(state, 'budget_exceeded', budgetDetail(state, policy))] : [];
    }
    return [attention(state, 'budget_exceeded', budgetDetail(state, policy))];
  }
  if ((state.status === 'needs_attention' || state.status === 'failed') && !humanIntent) return [];

  if (state.pendingResumeMessage !== undefined) {
    const context = create(ResumeContextSchema, { message: state.pendingResumeMessage });
    return schedule(state, world, RunKind.RESUME, ResumeReason.USER_MESSAGE, context, pr?.headSha ?? '');
  }

  const last = lastWorkRun(state);
  if (last === undefined) return schedule(state, world, RunKind.INITIAL, ResumeReason.UNSPECIFIED, undefined, '');
  if (last.status !== 'finished') {
    // A run stopped by a status change that has not reported its end: wait for it
    // (two runs must not share a branch), unless it is overdue too.
    return timeOutIfOverdue(state, last, world, policy);
  }
  if (failed(last) || last.outcome === RunOutcome.CANCELLED) return afterFailedRun(state, world, policy, last);

  if (state.kind === TaskKind.STANDALONE) {
    return [{ type: 'CompleteTask', id: `${state.id}:complete`, summary: last.summary }];
  }
  if (pr === undefined) {
    if (!last.hasChanges) {
      if (state.pendingRetry) return rerun(state, world, last);
      return [attention(state, 'no_changes', `run ${last.id} succeeded but produced no commits, so there is no pull request to open`)];
    }
    if (state.pullRequestRequestedForHead === last.pushedSha) return [];
    return [requestPullRequest(state, last)];
  }
  return reconcilePullRequest(state, world, policy);
}

function afterFailedRun(state: TaskState, world: World, policy: Policy, last: RunState): readonly Action[] {
  if (state.pendingRetry) return rerun(state, world, last);
  if (last.outcome === RunOutcome.CANCELLED) return [attention(state, 'run_cancelled', `run ${last.id} was cancelled before it finished`)];
  const error = last.error;
  if (error !== undefined && !error.retryable && error.category !== ErrorCategory.UNSPECIFIED) {
    return [
      attention(
        state,
        'non_retryable_error',
        `${error.title || 'run failed'}: ${error.message}${error.remedy ? ` — ${error.remedy}` : ''}`,
      ),
    ];
  }
  const maxRetries = state.spec.maxRetries || policy.maxRetries;
  if (state.retries >= maxRetries) {
    return [
      fail(
        state,
        'retries_exhausted',
        `run ${last.id} ${last.outcome === RunOutcome.TIMED_OUT ? 'timed out' : 'failed'} and ${maxRetries} retries are used up`,
        error,
      ),
    ];
  }
  const attempt = state.runs.length + 1;
  const delay = backoffDelayMs(policy, state.retries + 1, world.seed, runIdFor(state.id, attempt));
  const from = last.finishedAt !== undefined ? Date.parse(last.finishedAt) : toEpochMs(world.now);
  return schedule(state, world, last.kind, last.reason, last.context, last.headSha, toIso(from + delay));
}

function timeOutIfOverdue(state: TaskState, run: RunState, world: World, policy: Policy): readonly Action[] {
  const reason = overdueReason(run, toEpochMs(world.now), world.heartbeatAgeMs, policy);
  return reason === undefined ? [] : [{ type: 'TimeOutRun', id: `${state.id}:timeout:${run.id}`, runId: run.id, reason }];
}

function rerun(state: TaskState, world: World, last: RunState): readonly Action[] {
  return schedule(state, world, last.kind, last.reason, last.context, last.headSha);
}

function reconcilePullRequest(state: TaskState, world: World, policy: Policy): readonly Action[] {
  const pr = state.pr!;
  const head = pr.headSha;
  if (pr.mergeRequestedForHead !== undefined) return [];
  // The agent's push can be reported before the forge shows it on the PR; deciding
  // on the old head now would resume for a failure that is already fixed.
  const last = lastWorkRun(state);
  if (last !== undefined && last.hasChanges && last.pushedSha !== '' && !pr.heads.includes(last.pushedSha)) return [];
  const checks: ChecksState | undefined = pr.checksByHead[head];

  if (pr.conflict !== undefined && pr.conflict.headSha === head) {
    const context = create(ResumeContextSchema, { conflictingFiles: [...pr.conflict.files], baseSha: pr.conflict.baseSha });
    return autoResume(state, world, policy, ResumeReason.CONFLICT, context, 'the branch conflicts with its base');
  }
  if (checks?.status === CheckStatus.FAILING) {
    const failing = checks.checks.filter((c) => c.status === CheckStatus.FAILING);
    const context = create(ResumeContextSchema, { failingChecks: failing.length > 0 ? failing : [...checks.checks] });
    return autoResume(state, world, policy, ResumeReason.CI_FAILURE, context, 'checks are failing');
  }
  const verdict = latestVerdict(pr.reviews, head);
  if (verdict?.verdict === ReviewVerdict.CHANGES_REQUESTED) {
    const context = create(ResumeContextSchema, { reviewComments: [...verdict.comments], reviewBody: verdict.body });
    return autoResume(state, world, policy, ResumeReason.REVIEW, context, 'a review requested changes');
  }

  const repoPolicy = state.spec.policy;
  const checksPassing = checks?.status === CheckStatus.PASSING || (noChecks(checks) && repoPolicy?.noChecksIsPassing === true);
  const reviewAgent = repoPolicy?.reviewAgent;
  if (reviewAgent?.enabled && state.reviewRunsByHead[head] === undefined) {
    const onChecks = reviewAgent.trigger === ReviewTrigger.ON_CHECKS_PASSED;
    if (!onChecks || checksPassing) {
      return schedule(state, world, RunKind.REVIEW, ResumeReason.UNSPECIFIED, undefined, head, '', reviewAgent.agent, reviewAgent.model);
    }
  }
  if (!checksPassing) {
    if (checks !== undefined && noChecks(checks)) {
      return [
        attention(state, 'no_checks', `pull request #${pr.number} has no checks and the repository does not count no checks as passing`),
      ];
    }
    return [];
  }
  const approved = !repoPolicy?.approvalRequired || state.mergeApproved || verdict?.verdict === ReviewVerdict.APPROVED;
  if (!approved) return [];
  if ((world.openSubtaskIds ?? []).length > 0) return [];
  const mayMerge = state.mergeApproved || (repoPolicy?.autoMerge === true && !repoPolicy.cautious);
  if (!mayMerge) return [];
  if (pr.mergeFailedHeads.includes(head)) {
    const why = pr.mergeError?.message ?? 'the forge refused the merge';
    return [attention(state, 'merge_failed', `merging pull request #${pr.number} at ${head} failed: ${why}`)];
  }
  return [{ type: 'RequestMerge', id: `${state.id}:merge:${pr.number}:${head}`, number: pr.number, headSha: head }];
}

function noChecks(checks: ChecksState | undefined): boolean {
  return (
    checks === undefined ||
    (checks.checks.length === 0 &&
      checks.status !== CheckStatus.PENDING &&
      checks.status !== CheckStatus.FAILING &&
      checks.status !== CheckStatus.PASSING)
  );
}

/** The last approving or change-requesting review of this head; comments alone decide nothing. */
function latestVerdict(reviews: readonly ReviewState[], head: string): ReviewState | undefined {
  for (let i = reviews.length - 1; i >= 0; i--) {
    const r = reviews[i]!;
    if (r.headSha === head && (r.verdict === ReviewVerdict.APPROVED || r.verdict === ReviewVerdict.CHANGES_REQUESTED)) return r;
  }
  return undefined;
}

function autoResume(
  state: TaskState,
  world: World,
  policy: Policy,
  reason: ResumeReason,
  context: ResumeContext,
  why: string,
): readonly Action[] {
  const head = state.pr!.headSha;
  const already = state.runs.find((r) => r.kind === RunKind.RESUME && r.reason === reason && r.headSha === head && r.status === 'finished');
  if (already !== undefined) {
    return [
      attention(state, 'resume_without_progress', `${why}; run ${already.id} was resumed for it but pushed no new commit on ${head}`),
    ];
  }
  const cap = state.spec.maxAutoResumes || policy.maxAutoResumes;
  if (state.autoResumesSinceHuman >= cap) {
    return [attention(state, 'auto_resume_limit', `${why}; ${cap} automatic resumes since the last human action are used up`)];
  }
  return schedule(state, world, RunKind.RESUME, reason, context, head);
}

export function hasCapacity(state: TaskState, capacity: Capacity): boolean {
  if (capacity.globalFree <= 0) return false;
  if (state.kind !== TaskKind.REPO) return true;
  const repoFree = capacity.perRepoFree[state.spec.repoId];
  return repoFree === undefined || repoFree > 0;
}

function schedule(
  state: TaskState,
  world: World,
  kind: RunKind,
  reason: ResumeReason,
  context: ResumeContext | undefined,
  headSha: string,
  notBefore = '',
  agent = '',
  model = '',
): readonly Action[] {
  if (!hasCapacity(state, world.capacity)) return [];
  const attempt = state.runs.length + 1;
  const runId = runIdFor(state.id, attempt);
  return [
    {
      type: 'ScheduleRun',
      id: `${state.id}:schedule:${runId}`,
      runId,
      attempt,
      kind,
      reason,
      context,
      headSha,
      branch: state.kind === TaskKind.REPO ? branchFor(state.id) : '',
      agent: agent || state.spec.agent,
      model: model || state.spec.model,
      notBefore,
    },
  ];
}

function requestPullRequest(state: TaskState, run: RunState): Action {
  const issue = state.spec.source?.issueNumber;
  const body = [run.summary, issue ? `Closes #${issue}` : ''].filter((p) => p !== '').join('\n\n');
  return {
    type: 'RequestPullRequest',
    id: `${state.id}:pull-request:${run.pushedSha}`,
    runId: run.id,
    branch: branchFor(state.id),
    baseBranch: state.spec.baseBranch,
    title: state.spec.title,
    body,
    headSha: run.pushedSha,
    draft: state.spec.policy?.cautious === true,
  };
}

export function budgetUsd(state: TaskState, policy: Policy): number {
  return state.spec.budgetUsd > 0 ? state.spec.budgetUsd : policy.defaultBudgetUsd;
}

function budgetReached(state: TaskState, policy: Policy): boolean {
  const budget = budgetUsd(state, policy);
  return budget > 0 && state.totalCostUsd >= budget;
}

function budgetDetail(state: TaskState, policy: Policy): string {
  return `spent $${state.totalCostUsd.toFixed(2)} of a $${budgetUsd(state, policy).toFixed(2)} budget`;
}

function attention(state: TaskState, reason: AttentionReason, detail: string): Action {
  return { type: 'MarkNeedsAttention', id: `${state.id}:attention:${state.runs.length}:${reason}`, reason, detail };
}

function fail(state: TaskState, reason: FailureReason, detail: string, error?: ErrorInfo): Action {
  return { type: 'FailTask', id: `${state.id}:fail:${state.runs.length}:${reason}`, reason, detail, error };
}
