import { RunKind, TaskKind, type Envelope, type TaskEvent } from '@cohort/contracts';
import { evolve, findRun, isFinal, stageOf, type RunState, type TaskState } from '@cohort/domain';
import type { ProjectedTask, RunMeta, WorkspaceDoc } from './projected-task.js';
import { runIdOfEvent } from '../timeline-summary.js';

export interface CostDelta {
  readonly day: string;
  readonly agent: string;
  readonly model: string;
  readonly costUsd: number;
  readonly inputTokens: number;
  readonly cachedInputTokens: number;
  readonly outputTokens: number;
  readonly runs: number;
}

export interface TaskEventEffect {
  readonly next: ProjectedTask;
  /** The run the event is about, when it names one. */
  readonly runId: string | undefined;
  readonly cost: CostDelta | undefined;
  /** Runs (besides `runId`) whose workspace changed: a provisioning one the run stopped waiting for. */
  readonly workspaceRunIds: readonly string[];
}

type TaskEnvelope = Envelope<TaskEvent>;

/**
 * Applies one task event to the projected task: the domain's `evolve` decides
 * the state; this only records what readers need on top (times, run agent and
 * prompt, workspaces, stage history, spend).
 */
export function projectTaskEvent(current: ProjectedTask | undefined, event: TaskEnvelope, position: number): TaskEventEffect {
  const at = event.occurredAt;
  const state = evolve(current?.state, event);
  if (current === undefined) {
    const next: ProjectedTask = {
      state,
      runMeta: {},
      workspaces: {},
      prOpenedAt: undefined,
      prBaseBranch: undefined,
      prMergedAt: undefined,
      checksReportedAt: {},
      reviewSubmittedAt: [],
      stages: [{ stage: stageOf(state), enteredAt: at, leftAt: null }],
      position,
    };
    return { next, runId: undefined, cost: undefined, workspaceRunIds: [] };
  }
  let next: ProjectedTask = { ...current, state, position };
  const runId = runIdOfEvent(event) ?? undefined;
  next = recordDetails(next, current.state, event);
  const settled = settleProvisioning(next, at);
  next = settled.next;

  const stage = stageOf(state);
  const visit = current.stages.at(-1)!;
  if (stage !== visit.stage) {
    next = { ...next, stages: [...current.stages.slice(0, -1), { ...visit, leftAt: at }, { stage, enteredAt: at, leftAt: null }] };
  }
  const cost = runId === undefined ? undefined : costDelta(current.state, state, runId, next.runMeta[runId], at);
  return { next, runId, cost, workspaceRunIds: settled.runIds };
}

function recordDetails(next: ProjectedTask, before: TaskState, event: TaskEnvelope): ProjectedTask {
  const at = event.occurredAt;
  switch (event.type) {
    case 'RunScheduled': {
      const d = event.data;
      if (next.runMeta[d.runId] !== undefined || findRun(next.state, d.runId) === undefined) return next;
      const meta: RunMeta = { agent: d.agent || next.state.spec.agent, model: d.model || next.state.spec.model, prompt: '' };
      // pod-manager provisions a workspace for every scheduled run, with this id, on this branch.
      const standalone = next.state.kind === TaskKind.STANDALONE;
      const workspace: WorkspaceDoc = {
        id: workspaceIdOf(next.state.id, d.runId),
        path: '',
        branch: standalone ? '' : d.branch || `cohort/${next.state.id}`,
        status: 'provisioning',
        error: null,
        createdAt: at,
        updatedAt: at,
      };
      return {
        ...next,
        runMeta: { ...next.runMeta, [d.runId]: meta },
        workspaces: next.workspaces[d.runId] ? next.workspaces : { ...next.workspaces, [d.runId]: workspace },
      };
    }
    case 'RunStarted': {
      const meta = next.runMeta[event.data.runId];
      if (meta === undefined || meta.prompt !== '' || event.data.prompt === '') return next;
      return { ...next, runMeta: { ...next.runMeta, [event.data.runId]: { ...meta, prompt: event.data.prompt } } };
    }
    case 'WorkspaceReady': {
      const d = event.data;
      const previous = next.workspaces[d.runId];
      const doc: WorkspaceDoc = {
        id: d.workspaceId,
        path: d.path,
        branch: d.branch,
        status: 'ready',
        error: null,
        createdAt: previous?.createdAt ?? at,
        updatedAt: at,
      };
      return { ...next, workspaces: { ...next.workspaces, [d.runId]: doc } };
    }
    case 'WorkspaceFailed': {
      const d = event.data;
      const previous = next.workspaces[d.runId];
      const doc: WorkspaceDoc = {
        id: previous?.id ?? '',
        path: previous?.path ?? '',
        branch: previous?.branch ?? '',
        status: 'failed',
        error: d.error?.message ?? 'workspace could not be provisioned',
        createdAt: previous?.createdAt ?? at,
        updatedAt: at,
      };
      return { ...next, workspaces: { ...next.workspaces, [d.runId]: doc } };
    }
    case 'WorkspaceReleased': {
      const d = event.data;
      const previous = next.workspaces[d.runId];
      const doc: WorkspaceDoc = {
        id: d.workspaceId || previous?.id || '',
        path: previous?.path ?? '',
        branch: previous?.branch ?? '',
        status: 'released',
        error: previous?.error ?? null,
        createdAt: previous?.createdAt ?? at,
        updatedAt: at,
      };
      return { ...next, workspaces: { ...next.workspaces, [d.runId]: doc } };
    }
    case 'PullRequestOpened':
      if (before.pr !== undefined || next.state.pr === undefined) return next;
      return { ...next, prOpenedAt: at, prBaseBranch: event.data.baseBranch || next.state.spec.baseBranch };
    case 'PullRequestMerged':
      if (before.pr?.merged !== false || next.state.pr?.merged !== true) return next;
      return { ...next, prMergedAt: at };
    case 'ChecksReported':
      if (next.state.pr === before.pr) return next;
      return { ...next, checksReportedAt: { ...next.checksReportedAt, [event.data.headSha]: at } };
    case 'ReviewSubmitted': {
      const added = (next.state.pr?.reviews.length ?? 0) - (before.pr?.reviews.length ?? 0);
      if (added <= 0) return next;
      return { ...next, reviewSubmittedAt: [...next.reviewSubmittedAt, at] };
    }
    default:
      return next;
  }
}

/** The id pod-manager gives a run's workspace (`workspaceIdOf` in @cohort/runtime). */
function workspaceIdOf(taskId: string, runId: string): string {
  return `${taskId}.${runId}`;
}

/**
 * A workspace still provisioning for a run that no longer waits for it (the
 * run ended or was superseded, the task is over) will never be ready:
 * pod-manager skips such runs. It is shown as released, so it does not stay
 * active for ever.
 */
function settleProvisioning(task: ProjectedTask, at: string): { next: ProjectedTask; runIds: string[] } {
  const runIds: string[] = [];
  let workspaces = task.workspaces;
  for (const [runId, doc] of Object.entries(task.workspaces)) {
    if (doc.status !== 'provisioning' || waitsForWorkspace(task.state, runId)) continue;
    if (workspaces === task.workspaces) workspaces = { ...task.workspaces };
    (workspaces as Record<string, WorkspaceDoc>)[runId] = { ...doc, status: 'released', updatedAt: at };
    runIds.push(runId);
  }
  return { next: workspaces === task.workspaces ? task : { ...task, workspaces }, runIds };
}

/** As pod-manager decides whether to provision (planProvision). */
function waitsForWorkspace(state: TaskState, runId: string): boolean {
  const run = findRun(state, runId);
  if (run === undefined || isFinal(state.status) || run.status !== 'scheduled') return false;
  return run.kind === RunKind.REVIEW || state.currentRunId === run.id;
}

/**
 * Spend is counted when usage changes (usage is cumulative per run, so the
 * delta), on the day it was reported; a run counts once, on the day it ended.
 */
function costDelta(before: TaskState, after: TaskState, runId: string, meta: RunMeta | undefined, at: string): CostDelta | undefined {
  const was = findRun(before, runId);
  const now = findRun(after, runId);
  if (now === undefined || was === now) return undefined;
  const ended = was?.status !== 'finished' && now.status === 'finished' ? 1 : 0;
  const d = usageDelta(was, now);
  if (ended === 0 && d.costUsd === 0 && d.inputTokens === 0 && d.cachedInputTokens === 0 && d.outputTokens === 0) return undefined;
  return {
    day: dayOf(at),
    agent: meta?.agent || after.spec.agent,
    model: now.usage?.model || meta?.model || after.spec.model,
    ...d,
    runs: ended,
  };
}

function usageDelta(was: RunState | undefined, now: RunState) {
  const a = was?.usage;
  const b = now.usage;
  return {
    costUsd: (b?.costUsd ?? 0) - (a?.costUsd ?? 0),
    inputTokens: (b?.inputTokens ?? 0) - (a?.inputTokens ?? 0),
    cachedInputTokens: (b?.cachedInputTokens ?? 0) - (a?.cachedInputTokens ?? 0),
    outputTokens: (b?.outputTokens ?? 0) - (a?.outputTokens ?? 0),
  };
}

export function dayOf(at: string): string {
  if (/^\d{4}-\d{2}-\d{2}T.*Z$/.test(at)) return at.slice(0, 10);
  const parsed = new Date(at);
  return Number.isNaN(parsed.getTime()) ? '1970-01-01' : parsed.toISOString().slice(0, 10);
}
