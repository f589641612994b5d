import {
  CheckStatus,
  ResumeReason,
  ReviewTrigger,
  ReviewVerdict,
  RunKind,
  RunOutcome,
  TaskKind,
  create,
  taskEventSchemas,
  type EventOf,
  type MessageInitShape,
  type TaskEvent,
  type TaskEventType,
} from '@cohort/contracts';
import { fold, type TaskState, type World } from '../src/index.js';

export function e<T extends TaskEventType>(type: T, data: MessageInitShape<(typeof taskEventSchemas)[T]> = {} as never): EventOf<T> {
  return { type, data: create(taskEventSchemas[type] as never, data as never) } as unknown as EventOf<T>;
}

export const TASK = 't1';

export interface PolicyInit {
  autoMerge?: boolean;
  approvalRequired?: boolean;
  cautious?: boolean;
  noChecksIsPassing?: boolean;
  reviewAgent?: { enabled: boolean; trigger?: ReviewTrigger; agent?: string; model?: string };
}

type Loose = Record<string, unknown>;

export function created(over: Loose & { policyInit?: PolicyInit } = {}): EventOf<'TaskCreated'> {
  const { policyInit, ...rest } = over;
  return e('TaskCreated', {
    taskId: TASK,
    kind: TaskKind.REPO,
    title: 'Fix the login bug',
    prompt: 'Users cannot log in with SSO.',
    repoId: 'acme/web',
    baseBranch: 'main',
    agent: 'scripted',
    model: 'claude-sonnet-4',
    policy: { autoMerge: true, ...(policyInit ?? {}) },
    source: { issueNumber: 42 },
    ...rest,
  } as never);
}

export const scheduled = (attempt: number, kind = RunKind.INITIAL, reason = ResumeReason.UNSPECIFIED, headSha = '', notBefore = '') =>
  e('RunScheduled', {
    runId: `${TASK}-r${attempt}`,
    attempt,
    kind,
    resumeReason: reason,
    headSha,
    notBefore,
    branch: `cohort/${TASK}`,
    agent: 'scripted',
  });
export const ready = (attempt: number) => e('WorkspaceReady', { runId: `${TASK}-r${attempt}`, workspaceId: `ws-${attempt}` });
export const started = (attempt: number) => e('RunStarted', { runId: `${TASK}-r${attempt}`, workspaceId: `ws-${attempt}` });
export const finished = (attempt: number, over: Loose = {}) =>
  e('RunFinished', {
    runId: `${TASK}-r${attempt}`,
    outcome: RunOutcome.SUCCEEDED,
    headSha: `sha${attempt}`,
    hasChanges: true,
    summary: 'done',
    ...over,
  } as never);
export const failedRun = (attempt: number, message = 'agent exited with code 1', retryable = true) =>
  finished(attempt, {
    outcome: RunOutcome.FAILED,
    hasChanges: false,
    headSha: '',
    error: { message, retryable, category: 6, title: 'The agent failed' },
  });
export const prOpened = (headSha = 'sha1', number = 7) =>
  e('PullRequestOpened', { number, headSha, branch: `cohort/${TASK}`, baseBranch: 'main', url: 'https://forge/pr/7' });
export const checks = (
  headSha: string,
  status: CheckStatus,
  list: { name: string; status?: CheckStatus; outputTail?: string }[] = [{ name: 'ci', status }],
) =>
  e('ChecksReported', {
    number: 7,
    headSha,
    status,
    checks: list.map((c) => ({ name: c.name, status: c.status ?? status, outputTail: c.outputTail ?? '' })),
  });
export const review = (headSha: string, verdict: ReviewVerdict, over: Loose = {}) =>
  e('ReviewSubmitted', { number: 7, headSha, verdict, reviewer: 'alice', body: 'see comments', ...over } as never);
export const updated = (headSha: string) => e('PullRequestUpdated', { number: 7, headSha });

/** A repo task whose initial run succeeded and whose PR #7 is open at sha1. */
export function withOpenPr(policyInit: PolicyInit = {}, extra: TaskEvent[] = []): TaskState {
  return build([
    created({ policyInit }),
    scheduled(1),
    ready(1),
    started(1),
    finished(1),
    e('PullRequestRequested', { branch: 'cohort/t1', baseBranch: 'main', title: 'x', headSha: 'sha1', runId: 't1-r1' }),
    prOpened('sha1'),
    ...extra,
  ]);
}

export function build(events: TaskEvent[]): TaskState {
  const state = fold(events);
  if (state === undefined) throw new Error('empty history');
  return state;
}

export const NOW = Date.parse('2026-01-01T12:00:00Z');

export function world(over: Partial<World> = {}): World {
  return { now: NOW, capacity: { globalFree: 4, perRepoFree: { 'acme/web': 2 } }, seed: 1, ...over };
}

export { CheckStatus, ResumeReason, ReviewTrigger, ReviewVerdict, RunKind, RunOutcome, TaskKind };
