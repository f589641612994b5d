import {
  ErrorCategory,
  ErrorInfoSchema,
  ResumeReason,
  RunKind,
  RunOutcome,
  create,
  type ErrorInfo,
  type EventMetadata,
  type TaskEvent,
  type Usage,
} from '@cohort/contracts';
import type { PullRequestState, RunState, RunUsage, TaskState } from './task-state.js';
import { canTransition, isFinal, type TaskStatus } from './transitions.js';

type Folded = TaskEvent | (TaskEvent & Partial<EventMetadata>);

/** A history that does not start with TaskCreated cannot be folded: that is a bug upstream. */
export class MissingTaskCreated extends Error {
  override readonly name = 'MissingTaskCreated';
  constructor(readonly eventType: string) {
    super(`cannot apply ${eventType} to a task that was never created; a task history starts with TaskCreated`);
  }
}

const ACTIVE_RUN: ReadonlySet<RunState['status']> = new Set(['scheduled', 'provisioning', 'running']);

/**
 * Applies one event. Events are facts already in the log, so one that would
 * break the transition table is *ignored* (counted in `ignoredEvents`), never
 * thrown: a stream must always fold. Applying an event whose effect is already
 * present (a duplicate delivery) changes nothing but the counters.
 */
export function evolve(state: TaskState | undefined, event: Folded): TaskState {
  const at = 'occurredAt' in event && typeof event.occurredAt === 'string' ? event.occurredAt : undefined;
  const version = 'version' in event && typeof event.version === 'number' ? event.version : undefined;
  if (state === undefined) {
    if (event.type !== 'TaskCreated') throw new MissingTaskCreated(event.type);
    return created(event.data, at, version);
  }
  const next = apply(state, event, at);
  const stamped: TaskState = {
    ...(next ?? { ...state, ignoredEvents: state.ignoredEvents + 1 }),
    eventCount: state.eventCount + 1,
    version: version ?? state.version + 1,
    updatedAt: at ?? state.updatedAt,
  };
  return stamped;
}

/** Folds a whole history; undefined for an empty one. */
export function fold(events: Iterable<Folded>, initial?: TaskState): TaskState | undefined {
  let state = initial;
  for (const event of events) state = evolve(state, event);
  return state;
}

function created(
  data: Extract<TaskEvent, { type: 'TaskCreated' }>['data'],
  at: string | undefined,
  version: number | undefined,
): TaskState {
  const waiting = data.dependsOn.length > 0;
  return {
    id: data.taskId,
    kind: data.kind,
    status: waiting ? 'waiting' : 'queued',
    spec: data,
    priority: data.priority,
    runs: [],
    currentRunId: undefined,
    pullRequestRequestedForHead: undefined,
    pr: undefined,
    reviewRunsByHead: {},
    autoResumesSinceHuman: 0,
    retries: 0,
    totalCostUsd: 0,
    pendingResumeMessage: undefined,
    pendingRetry: false,
    mergeApproved: false,
    dependenciesMet: !waiting,
    attentionReason: undefined,
    failureReason: undefined,
    ticketClosed: false,
    eventCount: 1,
    version: version ?? 1,
    createdAt: at,
    updatedAt: at,
    completedAt: undefined,
    ignoredEvents: 0,
  };
}

/** Returns the new state, or undefined when the event must be ignored. */
function apply(state: TaskState, event: TaskEvent, at: string | undefined): TaskState | undefined {
  switch (event.type) {
    case 'TaskCreated':
      return undefined; // a second creation of the same task changes nothing
    case 'TaskPriorityChanged':
      return isFinal(state.status) ? undefined : { ...state, priority: event.data.priority };
    case 'TaskDependenciesMet':
      return move({ ...state, dependenciesMet: true }, state.status === 'waiting' ? 'queued' : state.status);
    case 'TaskCancelled':
      return move({ ...state, currentRunId: undefined }, 'cancelled');
    case 'TaskRetryRequested': {
      if (state.status !== 'failed' && state.status !== 'needs_attention') return undefined;
      const human = humanAction(state);
      // It failed before it started, for a dependency: it waits for its dependencies again.
      if (!state.dependenciesMet) return move({ ...human, retries: 0, failureReason: undefined }, 'waiting');
      return { ...human, pendingRetry: true, retries: 0 };
    }
    case 'TaskResumeRequested':
      if (isFinal(state.status) || state.status === 'waiting' || state.status === 'queued') return undefined;
      return { ...humanAction(state), pendingResumeMessage: event.data.message };
    case 'MergeApproved':
      if (state.pr === undefined || state.pr.merged || state.pr.closed || isFinal(state.status)) return undefined;
      return { ...humanAction(state), mergeApproved: true };
    case 'RunScheduled':
      return runScheduled(state, event.data, at);
    case 'WorkspaceReady':
      return updateRun(state, event.data.runId, (r) =>
        r.status === 'scheduled' ? { ...r, status: 'provisioning', workspaceId: event.data.workspaceId, workspaceReadyAt: at } : r,
      );
    case 'WorkspaceFailed':
      return runEnded(state, event.data.runId, at, (r) => ({
        ...r,
        outcome: RunOutcome.FAILED,
        workspaceFailed: true,
        error: event.data.error,
      }));
    case 'WorkspaceReleased':
      return state;
    case 'RunStarted':
      return runStarted(state, event.data.runId, event.data.workspaceId, at);
    case 'RunUsageReported':
      return withUsage(state, event.data.runId, event.data.usage);
    case 'RunFinished': {
      const d = event.data;
      const withCost = withUsage(state, d.runId, d.usage);
      if (withCost === undefined) return undefined;
      return runEnded(withCost, d.runId, at, (r) => ({
        ...r,
        outcome: d.outcome,
        error: d.error,
        pushedSha: d.headSha,
        hasChanges: d.hasChanges,
        summary: d.summary,
      }));
    }
    case 'RunTimedOut':
      return runEnded(state, event.data.runId, at, (r) => ({
        ...r,
        outcome: RunOutcome.TIMED_OUT,
        error: timedOutError(r.id, event.data.reason),
      }));
    case 'PullRequestRequested':
      return { ...state, pullRequestRequestedForHead: event.data.headSha };
    case 'PullRequestOpened': {
      const d = event.data;
      if (state.pr !== undefined && state.pr.number === d.number) return state;
      const pr: PullRequestState = {
        number: d.number,
        url: d.url,
        headSha: d.headSha,
        heads: [d.headSha],
        checksByHead: {},
        reviews: [],
        conflict: undefined,
        mergeRequestedForHead: undefined,
        mergeFailedHeads: [],
        mergeError: undefined,
        merged: false,
        mergeSha: '',
        closed: false,
      };
      const opened = { ...state, pr };
      const busy = state.currentRunId !== undefined;
      return move(
        opened,
        ['provisioning', 'running', 'needs_attention', 'failed'].includes(state.status) && !busy ? 'pr_opened' : state.status,
      );
    }
    case 'PullRequestUpdated': {
      const moved = state.pr !== undefined && state.pr.headSha !== event.data.headSha;
      const next = withPr(state, event.data.number, (pr) =>
        moved ? { ...pr, headSha: event.data.headSha, heads: [...pr.heads, event.data.headSha], conflict: undefined } : pr,
      );
      // A person approved the code they saw; new commits need a new approval.
      return next === undefined || !moved ? next : { ...next, mergeApproved: false };
    }
    case 'ChecksReported':
      return withPr(state, event.data.number, (pr) => ({
        ...pr,
        checksByHead: { ...pr.checksByHead, [event.data.headSha]: { status: event.data.status, checks: event.data.checks } },
      }));
    case 'ReviewSubmitted':
      return withPr(state, event.data.number, (pr) => {
        const d = event.data;
        const headSha = d.headSha || pr.headSha;
        const duplicate = pr.reviews.some(
          (r) => r.headSha === headSha && r.verdict === d.verdict && r.reviewer === d.reviewer && r.body === d.body && r.runId === d.runId,
        );
        if (duplicate) return pr;
        const review = {
          headSha,
          verdict: d.verdict,
          reviewer: d.reviewer,
          body: d.body,
          comments: d.comments,
          byAgent: d.byAgent,
          runId: d.runId,
        };
        return { ...pr, reviews: [...pr.reviews, review] };
      });
    case 'ConflictDetected':
      return withPr(state, event.data.number, (pr) => ({
        ...pr,
        conflict: { headSha: event.data.headSha || pr.headSha, baseSha: event.data.baseSha, files: event.data.files },
      }));
    case 'MergeRequested':
      return withPr(state, event.data.number, (pr) => ({ ...pr, mergeRequestedForHead: event.data.headSha }));
    case 'MergeFailed':
      return withPr(state, event.data.number, (pr) => ({
        ...pr,
        mergeRequestedForHead: undefined,
        mergeFailedHeads:
          pr.mergeRequestedForHead === undefined || pr.mergeFailedHeads.includes(pr.mergeRequestedForHead)
            ? pr.mergeFailedHeads
            : [...pr.mergeFailedHeads, pr.mergeRequestedForHead],
        mergeError: event.data.error,
      }));
    case 'PullRequestMerged':
      return withPr(state, event.data.number, (pr) => ({
        ...pr,
        merged: true,
        mergeSha: event.data.mergeSha,
        mergeRequestedForHead: undefined,
      }));
    case 'PullRequestClosed':
      return withPr(state, event.data.number, (pr) => (pr.merged ? pr : { ...pr, closed: true, mergeRequestedForHead: undefined }));
    case 'TaskNeedsAttention':
      return move(
        { ...state, attentionReason: event.data.reason, currentRunId: undefined, pendingRetry: false, pendingResumeMessage: undefined },
        'needs_attention',
      );
    case 'TaskFailed':
      return move(
        { ...state, failureReason: event.data.reason, currentRunId: undefined, pendingRetry: false, pendingResumeMessage: undefined },
        'failed',
      );
    case 'TaskCompleted':
      return move({ ...state, currentRunId: undefined, completedAt: at }, 'completed');
    case 'TicketClosed':
      return { ...state, ticketClosed: true };
  }
}

function move(state: TaskState, to: TaskStatus): TaskState | undefined {
  return canTransition(state.status, to) ? { ...state, status: to } : undefined;
}

/** A person acted: the automatic counters start again and any attention is cleared. */
function humanAction(state: TaskState): TaskState {
  const reset: TaskState = { ...state, autoResumesSinceHuman: 0 };
  const stopped = state.status === 'needs_attention' || state.status === 'failed';
  const prOpen = state.pr !== undefined && !state.pr.merged && !state.pr.closed;
  if (stopped && prOpen && state.currentRunId === undefined) {
    return { ...reset, status: 'pr_opened', attentionReason: undefined, failureReason: undefined };
  }
  return reset;
}

function runScheduled(
  state: TaskState,
  d: Extract<TaskEvent, { type: 'RunScheduled' }>['data'],
  at: string | undefined,
): TaskState | undefined {
  if (state.runs.some((r) => r.id === d.runId)) return state;
  const run: RunState = {
    id: d.runId,
    attempt: d.attempt,
    kind: d.kind,
    reason: d.resumeReason,
    context: d.context,
    status: 'scheduled',
    outcome: undefined,
    workspaceFailed: false,
    error: undefined,
    usage: undefined,
    headSha: d.headSha,
    pushedSha: '',
    hasChanges: false,
    summary: '',
    workspaceId: '',
    notBefore: d.notBefore,
    scheduledAt: at,
    workspaceReadyAt: undefined,
    startedAt: undefined,
    finishedAt: undefined,
  };
  if (d.kind === RunKind.REVIEW) {
    if (state.status !== 'pr_opened' || state.currentRunId !== undefined || state.reviewRunsByHead[d.headSha] !== undefined)
      return undefined;
    return {
      ...state,
      runs: [...state.runs, run],
      currentRunId: run.id,
      reviewRunsByHead: { ...state.reviewRunsByHead, [d.headSha]: run.id },
    };
  }
  if (state.currentRunId !== undefined) return undefined;
  const previous = lastWorkRunOf(state);
  const automaticResume =
    d.kind === RunKind.RESUME && d.resumeReason !== ResumeReason.USER_MESSAGE && d.resumeReason !== ResumeReason.UNSPECIFIED;
  const isRetry =
    !state.pendingRetry && previous !== undefined && failed(previous) && previous.kind === d.kind && previous.reason === d.resumeReason;
  const next: TaskState = {
    ...state,
    runs: [...state.runs, run],
    currentRunId: run.id,
    pendingRetry: false,
    pendingResumeMessage: d.resumeReason === ResumeReason.USER_MESSAGE ? undefined : state.pendingResumeMessage,
    retries: isRetry ? state.retries + 1 : 0,
    autoResumesSinceHuman: automaticResume && !isRetry ? state.autoResumesSinceHuman + 1 : state.autoResumesSinceHuman,
    attentionReason: undefined,
    failureReason: undefined,
  };
  return move(next, 'provisioning');
}

function lastWorkRunOf(state: TaskState): RunState | undefined {
  return [...state.runs].reverse().find((r) => r.kind !== RunKind.REVIEW);
}

/** The scheduler gave up on the run: a timeout, retried like any other by the retry policy. */
function timedOutError(runId: string, reason: string): ErrorInfo {
  return create(ErrorInfoSchema, {
    category: ErrorCategory.TIMEOUT,
    retryable: true,
    title: 'Run timed out',
    message: `run ${runId} timed out${reason ? `: ${reason}` : ''}`,
    remedy: 'Cohort retries the run; if runs are legitimately this slow, raise the limit named in the message.',
  });
}

export function failed(run: RunState): boolean {
  return run.outcome === RunOutcome.FAILED || run.outcome === RunOutcome.TIMED_OUT;
}

function runStarted(state: TaskState, runId: string, workspaceId: string, at: string | undefined): TaskState | undefined {
  const run = state.runs.find((r) => r.id === runId);
  if (run === undefined || !ACTIVE_RUN.has(run.status) || run.status === 'running') return run === undefined ? undefined : state;
  const started = replaceRun(state, { ...run, status: 'running', startedAt: at, workspaceId: workspaceId || run.workspaceId });
  if (state.currentRunId !== runId || run.kind === RunKind.REVIEW) return started;
  return move(started, 'running');
}

function runEnded(state: TaskState, runId: string, at: string | undefined, finish: (r: RunState) => RunState): TaskState | undefined {
  const run = state.runs.find((r) => r.id === runId);
  if (run === undefined) return undefined;
  if (run.status === 'finished') return state; // the first ending wins; later ones are duplicates or races
  const ended = replaceRun(state, { ...finish(run), status: 'finished', finishedAt: at });
  if (state.currentRunId !== runId) return ended;
  const cleared: TaskState = { ...ended, currentRunId: undefined };
  if (run.kind === RunKind.REVIEW) return cleared;
  const prOpen = state.pr !== undefined && !state.pr.merged && !state.pr.closed;
  return move(cleared, prOpen ? 'pr_opened' : state.status);
}

function updateRun(state: TaskState, runId: string, change: (r: RunState) => RunState): TaskState | undefined {
  const run = state.runs.find((r) => r.id === runId);
  return run === undefined ? undefined : replaceRun(state, change(run));
}

function replaceRun(state: TaskState, run: RunState): TaskState {
  return { ...state, runs: state.runs.map((r) => (r.id === run.id ? run : r)) };
}

function withUsage(state: TaskState, runId: string, usage: Usage | undefined): TaskState | undefined {
  if (usage === undefined) return state;
  const u: RunUsage = {
    inputTokens: usage.inputTokens,
    cachedInputTokens: usage.cachedInputTokens,
    outputTokens: usage.outputTokens,
    costUsd: usage.costUsd,
    model: usage.model,
  };
  const next = updateRun(state, runId, (r) => ({ ...r, usage: u }));
  if (next === undefined) return undefined;
  return { ...next, totalCostUsd: next.runs.reduce((sum, r) => sum + (r.usage?.costUsd ?? 0), 0) };
}

function withPr(state: TaskState, number: number, change: (pr: PullRequestState) => PullRequestState): TaskState | undefined {
  if (state.pr === undefined || state.pr.number !== number) return undefined;
  return { ...state, pr: change(state.pr) };
}
