import { CheckStatus, ReviewVerdict, RunKind, RunOutcome, TaskKind } from '@cohort/contracts';
import { currentRun, lastWorkRun, type TaskState } from './task-state.js';

/** Pipeline stages the UI shows; derived from the state, never stored. */
export type Stage = 'queued' | 'setup' | 'running' | 'pr' | 'checks' | 'review' | 'merge' | 'done';

export const STAGES: readonly Stage[] = ['queued', 'setup', 'running', 'pr', 'checks', 'review', 'merge', 'done'];

export function stageOf(state: TaskState): Stage {
  switch (state.status) {
    case 'waiting':
    case 'queued':
      return 'queued';
    case 'provisioning':
      return 'setup';
    case 'completed':
    case 'failed':
    case 'cancelled':
      return 'done';
    case 'running': {
      const last = lastWorkRun(state);
      const finishedWell = last?.status === 'finished' && last.outcome === RunOutcome.SUCCEEDED;
      return finishedWell && state.kind === TaskKind.REPO ? 'pr' : 'running';
    }
    case 'needs_attention':
      if (state.pr !== undefined) return prStage(state);
      return state.runs.length > 0 ? 'running' : 'queued';
    case 'pr_opened':
      return prStage(state);
  }
}

function prStage(state: TaskState): Stage {
  const pr = state.pr!;
  if (pr.merged) return 'done';
  const run = currentRun(state);
  if (run?.kind === RunKind.REVIEW) return 'review';
  if (run !== undefined) return 'running';
  if (pr.mergeRequestedForHead !== undefined) return 'merge';
  const checks = pr.checksByHead[pr.headSha];
  const noChecksPass = state.spec.policy?.noChecksIsPassing === true && (checks === undefined || checks.checks.length === 0);
  if (checks?.status !== CheckStatus.PASSING && !noChecksPass) return 'checks';
  const policy = state.spec.policy;
  const approved = pr.reviews.some((r) => r.headSha === pr.headSha && r.verdict === ReviewVerdict.APPROVED) || state.mergeApproved;
  if (policy?.approvalRequired && !approved) return 'review';
  if (policy?.reviewAgent?.enabled && state.reviewRunsByHead[pr.headSha] === undefined) return 'review';
  return 'merge';
}
