import type { ResumeReason as AdapterResumeReason, RunKind as AdapterRunKind } from '@cohort/agents';
import {
  ResumeReason,
  RunKind,
  type TaskKind,
  type Envelope,
  type EnvelopeOf,
  type TaskEvent,
  type WorkspaceReady,
} from '@cohort/contracts';
import { findRun, fold, isFinal, promptForRun, type PromptTexts, DEFAULT_PROMPT_TEXTS } from '@cohort/domain';

/** Everything needed to start one run, decided from the task's history alone. */
export interface RunPlan {
  readonly taskId: string;
  readonly runId: string;
  readonly taskKind: TaskKind;
  readonly title: string;
  readonly repoId: string;
  readonly workspaceId: string;
  readonly workdir: string;
  readonly branch: string;
  /** The base recorded by pod-manager; empty: read the workspace marker. */
  readonly baseSha: string;
  readonly agent: string;
  readonly model: string;
  readonly runKind: AdapterRunKind;
  readonly resumeReason: AdapterResumeReason | undefined;
  readonly attempt: number;
  readonly prompt: string;
}

export type PlanResult =
  | { readonly start: true; readonly plan: RunPlan; readonly version: number }
  | { readonly start: false; readonly reason: string; readonly version: number };

const RESUME_REASONS: Readonly<Partial<Record<ResumeReason, AdapterResumeReason>>> = {
  [ResumeReason.CI_FAILURE]: 'ci_failure',
  [ResumeReason.REVIEW]: 'review',
  [ResumeReason.CONFLICT]: 'conflict',
  [ResumeReason.USER_MESSAGE]: 'user_message',
};

/**
 * Whether the run a workspace is ready for should start here, and with what.
 * A run is started only while it is still waiting for its agent (scheduled or
 * provisioning) and the task is not final: a redelivered WorkspaceReady, a run
 * that already has RunStarted (it runs elsewhere, or ran in a process that
 * died: the scheduler times it out by heartbeat) and a cancelled task are skipped.
 */
export function planRun(events: readonly Envelope[], ready: WorkspaceReady, texts: PromptTexts = DEFAULT_PROMPT_TEXTS): PlanResult {
  const version = events.at(-1)?.version ?? 0;
  if (events[0]?.type !== 'TaskCreated') return { start: false, reason: 'the task has no TaskCreated', version };
  const state = fold(events as readonly Envelope<TaskEvent>[])!;
  const run = findRun(state, ready.runId);
  if (run === undefined) return { start: false, reason: `run ${ready.runId} was never scheduled`, version };
  if (isFinal(state.status)) return { start: false, reason: `the task is ${state.status}`, version };
  if (run.status === 'running') return { start: false, reason: 'the run has started already', version };
  if (run.status === 'finished') return { start: false, reason: 'the run has finished already', version };
  if (run.kind !== RunKind.REVIEW && state.currentRunId !== run.id) {
    return { start: false, reason: 'the run is no longer the task’s current run', version };
  }
  const rendered = promptForRun(state, run, texts);
  if (!rendered.ok) return { start: false, reason: `the prompt cannot be rendered: ${rendered.error.message}`, version };

  const scheduled = events.find((e): e is EnvelopeOf<'RunScheduled'> => e.type === 'RunScheduled' && e.data.runId === run.id)?.data;
  const resumeReason = run.kind === RunKind.RESUME ? RESUME_REASONS[run.reason] : undefined;
  const plan: RunPlan = {
    taskId: state.id,
    runId: run.id,
    taskKind: state.kind,
    title: state.spec.title,
    repoId: state.spec.repoId,
    workspaceId: ready.workspaceId,
    workdir: ready.path,
    branch: ready.branch || scheduled?.branch || '',
    baseSha: ready.baseSha,
    agent: scheduled?.agent || state.spec.agent,
    model: scheduled?.model || state.spec.model,
    runKind: run.kind === RunKind.REVIEW ? 'review' : run.kind === RunKind.RESUME ? 'resume' : 'initial',
    resumeReason,
    attempt: run.attempt || 1,
    prompt: rendered.text,
  };
  return { start: true, plan, version };
}
