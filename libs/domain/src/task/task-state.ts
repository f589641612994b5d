import {
  RunKind,
  type Check,
  type CheckStatus,
  type ErrorInfo,
  type ResumeContext,
  type ResumeReason,
  type ReviewComment,
  type ReviewVerdict,
  type RunOutcome,
  type TaskCreated,
  type TaskKind,
} from '@cohort/contracts';
import type { TaskStatus } from './transitions.js';

export type RunStatus = 'scheduled' | 'provisioning' | 'running' | 'finished';

export interface RunUsage {
  readonly inputTokens: number;
  readonly cachedInputTokens: number;
  readonly outputTokens: number;
  readonly costUsd: number;
  readonly model: string;
}

export interface RunState {
  readonly id: string;
  readonly attempt: number;
  readonly kind: RunKind;
  readonly reason: ResumeReason;
  readonly context: ResumeContext | undefined;
  readonly status: RunStatus;
  readonly outcome: RunOutcome | undefined;
  /** Set when the workspace could not be provisioned. */
  readonly workspaceFailed: boolean;
  readonly error: ErrorInfo | undefined;
  readonly usage: RunUsage | undefined;
  /** Review runs: the head under review. Resume runs: the head being fixed. Finished runs: the head they pushed. */
  readonly headSha: string;
  readonly pushedSha: string;
  readonly hasChanges: boolean;
  readonly summary: string;
  readonly workspaceId: string;
  readonly notBefore: string;
  readonly scheduledAt: string | undefined;
  /** When its workspace was reported ready (the run went from scheduled to provisioning). */
  readonly workspaceReadyAt: string | undefined;
  readonly startedAt: string | undefined;
  readonly finishedAt: string | undefined;
}

export interface ChecksState {
  readonly status: CheckStatus;
  readonly checks: readonly Check[];
}

export interface ReviewState {
  readonly headSha: string;
  readonly verdict: ReviewVerdict;
  readonly reviewer: string;
  readonly body: string;
  readonly comments: readonly ReviewComment[];
  readonly byAgent: boolean;
  readonly runId: string;
}

export interface ConflictState {
  readonly headSha: string;
  readonly baseSha: string;
  readonly files: readonly string[];
}

export interface PullRequestState {
  readonly number: number;
  readonly url: string;
  readonly headSha: string;
  /** Every head the PR has had, oldest first. */
  readonly heads: readonly string[];
  readonly checksByHead: Readonly<Record<string, ChecksState>>;
  readonly reviews: readonly ReviewState[];
  readonly conflict: ConflictState | undefined;
  /** The head a merge was requested for and not yet answered. */
  readonly mergeRequestedForHead: string | undefined;
  /** Heads whose merge failed: never requested again. */
  readonly mergeFailedHeads: readonly string[];
  readonly mergeError: ErrorInfo | undefined;
  readonly merged: boolean;
  readonly mergeSha: string;
  readonly closed: boolean;
}

/** Everything the decider and the reconciler know about one task, folded from its events. */
export interface TaskState {
  readonly id: string;
  readonly kind: TaskKind;
  readonly status: TaskStatus;
  readonly spec: TaskCreated;
  readonly priority: number;
  readonly runs: readonly RunState[];
  /** The run the task is waiting on; cleared when it ends or the task stops. */
  readonly currentRunId: string | undefined;
  /** The head a PR was requested for, before the PR is known. */
  readonly pullRequestRequestedForHead: string | undefined;
  readonly pr: PullRequestState | undefined;
  /** Review runs by head commit: at most one each. */
  readonly reviewRunsByHead: Readonly<Record<string, string>>;
  /** Resumes the reconciler started since the last human action. */
  readonly autoResumesSinceHuman: number;
  /** Automatic retries of failed runs since the last human action. */
  readonly retries: number;
  readonly totalCostUsd: number;
  readonly pendingResumeMessage: string | undefined;
  readonly pendingRetry: boolean;
  /** A person approved merging the current head; cleared when new commits land. */
  readonly mergeApproved: boolean;
  readonly dependenciesMet: boolean;
  readonly attentionReason: string | undefined;
  readonly failureReason: string | undefined;
  readonly ticketClosed: boolean;
  /** Events folded, including ignored ones. */
  readonly eventCount: number;
  /** Aggregate version of the last event, when folded from envelopes. */
  readonly version: number;
  readonly createdAt: string | undefined;
  readonly updatedAt: string | undefined;
  readonly completedAt: string | undefined;
  /** Events that would have broken the transition table, by type; kept for diagnosis. */
  readonly ignoredEvents: number;
}

export function findRun(state: TaskState, runId: string): RunState | undefined {
  return state.runs.find((r) => r.id === runId);
}

export function currentRun(state: TaskState): RunState | undefined {
  return state.currentRunId === undefined ? undefined : findRun(state, state.currentRunId);
}

/** The last run that did work on the task (initial or resume), finished or not. */
export function lastWorkRun(state: TaskState): RunState | undefined {
  for (let i = state.runs.length - 1; i >= 0; i--) {
    const run = state.runs[i]!;
    if (run.kind !== RunKind.REVIEW) return run;
  }
  return undefined;
}

export function isPullRequestOpen(state: TaskState): boolean {
  return state.pr !== undefined && !state.pr.merged && !state.pr.closed;
}
