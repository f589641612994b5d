import { RunKind, type TaskKind, type Envelope, type EnvelopeOf, type TaskEvent } from '@cohort/contracts';
import { findRun, fold, isFinal, type TaskState } from '@cohort/domain';

export interface ProvisionPlan {
  readonly taskId: string;
  readonly runId: string;
  readonly taskKind: TaskKind;
  readonly repoId: string;
  readonly branch: string;
  /** Empty: the repository's default branch. */
  readonly baseBranch: string;
  /** Epoch ms before which the workspace must not be provisioned; 0 when there is no such time. */
  readonly notBefore: number;
}

export type ProvisionDecision =
  | { readonly provision: true; readonly plan: ProvisionPlan; readonly version: number }
  | { readonly provision: false; readonly reason: string; readonly version: number };

export function taskStateOf(events: readonly Envelope[]): TaskState | undefined {
  if (events[0]?.type !== 'TaskCreated') return undefined;
  return fold(events as readonly Envelope<TaskEvent>[]);
}

/**
 * Whether a workspace should be provisioned for the run, decided from the task's
 * history alone. Only a run still waiting for its workspace gets one: a
 * redelivered RunScheduled, a run that already has WorkspaceReady/Failed, a run
 * superseded by a newer one and a final task are skipped.
 */
export function planProvision(events: readonly Envelope[], runId: string): ProvisionDecision {
  const version = events.at(-1)?.version ?? 0;
  const skip = (reason: string): ProvisionDecision => ({ provision: false, reason, version });
  const state = taskStateOf(events);
  if (state === undefined) return skip('the task has no TaskCreated');
  const run = findRun(state, runId);
  if (run === undefined) return skip(`run ${runId} was never scheduled`);
  if (isFinal(state.status)) return skip(`the task is ${state.status}`);
  if (run.status !== 'scheduled') return skip(`the run is ${run.status} already`);
  if (run.kind !== RunKind.REVIEW && state.currentRunId !== run.id) return skip('the run is no longer the task’s current run');
  const scheduled = events.find((e): e is EnvelopeOf<'RunScheduled'> => e.type === 'RunScheduled' && e.data.runId === runId)?.data;
  const notBefore = run.notBefore ? Date.parse(run.notBefore) : NaN;
  return {
    provision: true,
    version,
    plan: {
      taskId: state.id,
      runId,
      taskKind: state.kind,
      repoId: state.spec.repoId,
      branch: scheduled?.branch || `cohort/${state.id}`,
      baseBranch: state.spec.baseBranch,
      notBefore: Number.isNaN(notBefore) ? 0 : notBefore,
    },
  };
}

/** Whether the run still waits for the workspace just provisioned (re-checked right before WorkspaceReady is appended). */
export function stillWaiting(events: readonly Envelope[], runId: string): boolean {
  return planProvision(events, runId).provision;
}

/**
 * Tasks whose workspaces must be kept by the cleanup: not final, with a run
 * that has not ended. A finished or failed task keeps nothing (pushed work is on
 * origin; a retry provisions afresh).
 */
export function keepsWorkspaces(state: TaskState | undefined): boolean {
  if (state === undefined || isFinal(state.status)) return false;
  return state.runs.some((run) => run.status !== 'finished');
}
