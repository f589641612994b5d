import { randomUUID } from 'node:crypto';
import {
  CheckStatus,
  ForgeKind,
  ResumeReason,
  ReviewVerdict,
  RunKind,
  RunOutcome,
  TaskKind,
  TaskSourceKind,
  create,
  eventSchemas,
  type Envelope,
  type EventType,
  type MessageInitShape,
  type NewEvent,
} from '@cohort/contracts';
import type { AggregateRef } from '@cohort/eventstore';

/** Realistic histories for tests and the benchmark: what the services append for a task's life. */
export type Lifecycle = 'merged' | 'ci_failure' | 'failed' | 'standalone' | 'needs_attention' | 'in_progress';

export const LIFECYCLES: readonly Lifecycle[] = ['merged', 'ci_failure', 'failed', 'standalone', 'needs_attention', 'in_progress'];

export interface AggregateHistory {
  readonly aggregate: AggregateRef;
  readonly events: NewEvent[];
}

/** A history's events as stored envelopes, versions counted from 1, with the subject each is stored on (namespace `ns`). */
export function storedEnvelopes(history: AggregateHistory): { readonly envelope: Envelope; readonly subject: string }[] {
  const { aggregate, events } = history;
  return events.map((event, v) => ({
    envelope: {
      correlationId: '',
      causationId: '',
      traceparent: '',
      ...event,
      aggregateType: aggregate.type,
      aggregateId: aggregate.id,
      version: v + 1,
    } as unknown as Envelope,
    subject: `ns.evt.${aggregate.type}.${aggregate.id}`,
  }));
}

export function ev<T extends EventType>(type: T, data: MessageInitShape<(typeof eventSchemas)[T]>, occurredAt: string): NewEvent {
  return { id: randomUUID(), type, data: create(eventSchemas[type] as never, data as never), occurredAt } as unknown as NewEvent;
}

/** A clock that ticks a few seconds per event from `start`. */
export function ticker(start: Date, stepMs = 7_000): () => string {
  let t = start.getTime();
  return () => {
    t += stepMs;
    return new Date(t).toISOString();
  };
}

export function repoHistory(repoId: string, at: () => string): AggregateHistory {
  const settings = (ci: string) => ({
    name: repoId,
    url: `/srv/git/${repoId}.git`,
    forge: ForgeKind.LOCAL,
    defaultBranch: 'main',
    ciCommand: ci,
    setupCommands: ['npm ci'],
    policy: { autoMerge: true, approvalRequired: false, reviewAgent: { enabled: false } },
    maxConcurrency: 3,
    defaultAgent: 'scripted',
    defaultModel: 'sonnet',
  });
  return {
    aggregate: { type: 'repo', id: repoId },
    events: [
      ev('RepoRegistered', { repoId, settings: settings('npm test') }, at()),
      ev('RepoUpdated', { repoId, settings: settings('npm run ci') }, at()),
    ],
  };
}

export function secretHistory(name: string, at: () => string, deleted = false): AggregateHistory {
  const events = [ev('SecretSet', { name, scope: 'global', revision: 1 }, at())];
  if (deleted) events.push(ev('SecretDeleted', { name, scope: 'global' }, at()));
  return { aggregate: { type: 'secret', id: name }, events };
}

/** The events of one task's life of the given kind. */
export function taskHistory(taskId: string, repoId: string, lifecycle: Lifecycle, at: () => string): AggregateHistory {
  const r = (n: number) => `${taskId}-r${n}`;
  const usage = (n: number) => ({
    inputTokens: 1000 * n,
    cachedInputTokens: 200 * n,
    outputTokens: 300 * n,
    costUsd: 0.0123 * n,
    model: 'sonnet',
  });
  const standalone = lifecycle === 'standalone';
  const events: NewEvent[] = [
    ev(
      'TaskCreated',
      {
        taskId,
        kind: standalone ? TaskKind.STANDALONE : TaskKind.REPO,
        title: `Fix ${lifecycle} case for ${taskId}`,
        prompt: `Please fix the ${lifecycle} problem in module ${taskId}.`,
        repoId: standalone ? '' : repoId,
        baseBranch: standalone ? '' : 'main',
        agent: 'scripted',
        model: 'sonnet',
        priority: taskId.length % 5,
        params: { area: 'auth' },
        policy: { autoMerge: true },
        source: { kind: TaskSourceKind.MANUAL, externalId: `EXT-${taskId}`, url: `https://tickets.example/${taskId}` },
      },
      at(),
    ),
  ];
  const run = (n: number, kind = RunKind.INITIAL, reason = ResumeReason.UNSPECIFIED) => {
    events.push(
      ev(
        'RunScheduled',
        { runId: r(n), attempt: n, kind, resumeReason: reason, branch: `cohort/${taskId}`, agent: 'scripted', model: 'sonnet' },
        at(),
      ),
    );
    events.push(
      ev('WorkspaceReady', { runId: r(n), workspaceId: `ws-${r(n)}`, path: `/data/ws/${r(n)}`, branch: `cohort/${taskId}` }, at()),
    );
    events.push(ev('RunStarted', { runId: r(n), workspaceId: `ws-${r(n)}`, prompt: `prompt of ${r(n)}` }, at()));
    events.push(ev('RunUsageReported', { runId: r(n), usage: usage(n) }, at()));
  };
  const finish = (n: number, outcome = RunOutcome.SUCCEEDED) =>
    events.push(
      ev(
        'RunFinished',
        {
          runId: r(n),
          outcome,
          headSha: outcome === RunOutcome.SUCCEEDED ? `sha-${r(n)}` : '',
          usage: usage(n + 1),
          hasChanges: outcome === RunOutcome.SUCCEEDED,
          summary: `run ${n} ${outcome === RunOutcome.SUCCEEDED ? 'done' : 'broke'}`,
          ...(outcome === RunOutcome.SUCCEEDED ? {} : { error: { message: 'agent exited with code 1', retryable: true } }),
        },
        at(),
      ),
    );
  const openPr = () => {
    events.push(
      ev(
        'PullRequestRequested',
        { runId: r(1), branch: `cohort/${taskId}`, baseBranch: 'main', title: 'Fix', headSha: `sha-${r(1)}` },
        at(),
      ),
    );
    events.push(
      ev(
        'PullRequestOpened',
        { number: 7, url: `https://forge.example/pr/7`, branch: `cohort/${taskId}`, baseBranch: 'main', headSha: `sha-${r(1)}` },
        at(),
      ),
    );
  };
  const merge = (head: string) => {
    events.push(ev('MergeRequested', { number: 7, headSha: head }, at()));
    events.push(ev('PullRequestMerged', { number: 7, mergeSha: `merge-${taskId}` }, at()));
    events.push(ev('TaskCompleted', { summary: 'merged' }, at()));
  };
  const checks = (head: string, status: CheckStatus) =>
    events.push(
      ev(
        'ChecksReported',
        {
          number: 7,
          headSha: head,
          status,
          checks: [{ name: 'ci', status, outputTail: status === CheckStatus.FAILING ? 'FAIL test/a' : 'ok' }],
        },
        at(),
      ),
    );

  switch (lifecycle) {
    case 'merged':
      run(1);
      finish(1);
      openPr();
      checks(`sha-${r(1)}`, CheckStatus.PASSING);
      events.push(ev('WorkspaceReleased', { runId: r(1), workspaceId: `ws-${r(1)}` }, at()));
      merge(`sha-${r(1)}`);
      break;
    case 'ci_failure':
      run(1);
      finish(1);
      openPr();
      checks(`sha-${r(1)}`, CheckStatus.FAILING);
      run(2, RunKind.RESUME, ResumeReason.CI_FAILURE);
      finish(2);
      events.push(ev('PullRequestUpdated', { number: 7, headSha: `sha-${r(2)}` }, at()));
      checks(`sha-${r(2)}`, CheckStatus.PASSING);
      events.push(
        ev(
          'ReviewSubmitted',
          {
            number: 7,
            headSha: `sha-${r(2)}`,
            verdict: ReviewVerdict.APPROVED,
            reviewer: 'alice',
            body: 'LGTM',
            comments: [{ path: 'a.ts', line: 3, body: 'nice' }],
          },
          at(),
        ),
      );
      merge(`sha-${r(2)}`);
      break;
    case 'failed':
      events.push(
        ev('RunScheduled', { runId: r(1), attempt: 1, kind: RunKind.INITIAL, branch: `cohort/${taskId}`, agent: 'scripted' }, at()),
      );
      events.push(ev('WorkspaceFailed', { runId: r(1), error: { message: 'clone failed: repository not found', retryable: true } }, at()));
      run(2);
      finish(2, RunOutcome.FAILED);
      events.push(ev('TaskFailed', { reason: 'the agent failed twice', error: { message: 'agent exited with code 1' } }, at()));
      break;
    case 'standalone':
      run(1);
      finish(1);
      events.push(ev('TaskCompleted', { summary: 'report written' }, at()));
      break;
    case 'needs_attention':
      run(1);
      events.push(ev('RunTimedOut', { runId: r(1), reason: 'no heartbeat for 5 minutes' }, at()));
      events.push(ev('TaskNeedsAttention', { reason: 'the run stopped answering', detail: 'heartbeat lost' }, at()));
      break;
    case 'in_progress':
      run(1);
      break;
  }
  return { aggregate: { type: 'task', id: taskId }, events };
}
