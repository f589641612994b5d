import { describe, expect, it } from 'vitest';
import {
  create,
  ResumeReason,
  RunKind,
  RunOutcome,
  RunFinishedSchema,
  RunScheduledSchema,
  RunStartedSchema,
  TaskCancelledSchema,
  TaskCreatedSchema,
  TaskKind,
  WorkspaceReadySchema,
  type Envelope,
  type MessageInitShape,
  type TaskEvent,
} from '@cohort/contracts';
import { planRun } from './run-plan.js';

const taskId = 't1';
let version = 0;
function envelope(event: TaskEvent): Envelope {
  version++;
  return {
    ...event,
    id: `e${version}`,
    aggregateType: 'task',
    aggregateId: taskId,
    version,
    occurredAt: '2026-01-01T00:00:00.000Z',
    correlationId: 'c',
    causationId: 'c',
    traceparent: '',
  } as Envelope;
}

function history(...events: TaskEvent[]): Envelope[] {
  version = 0;
  return events.map(envelope);
}

const created: TaskEvent = {
  type: 'TaskCreated',
  data: create(TaskCreatedSchema, {
    taskId,
    kind: TaskKind.REPO,
    title: 'Fix sum',
    prompt: 'Make sum add.',
    repoId: 'demo',
    baseBranch: 'main',
    agent: 'scripted',
    model: 'm-task',
  }),
};
type RunScheduledInit = Omit<Exclude<MessageInitShape<typeof RunScheduledSchema>, { $typeName: string }>, '$typeName'>;
const scheduled = (runId: string, init: RunScheduledInit = {}): TaskEvent => ({
  type: 'RunScheduled',
  data: create(RunScheduledSchema, { runId, attempt: 1, kind: RunKind.INITIAL, branch: `cohort/${taskId}`, ...init }),
});
const ready = create(WorkspaceReadySchema, { runId: 't1-r1', workspaceId: 'ws1', path: '/w', branch: 'cohort/t1', baseSha: 'abc' });
const readyEvent: TaskEvent = { type: 'WorkspaceReady', data: ready };
const started: TaskEvent = { type: 'RunStarted', data: create(RunStartedSchema, { runId: 't1-r1', workspaceId: 'ws1' }) };

describe('planRun', () => {
  it('plans the current run with the task prompt, the task agent and the workspace', () => {
    const result = planRun(history(created, scheduled('t1-r1'), readyEvent), ready);
    expect(result).toMatchObject({
      start: true,
      version: 3,
      plan: {
        taskId,
        runId: 't1-r1',
        workspaceId: 'ws1',
        workdir: '/w',
        branch: 'cohort/t1',
        baseSha: 'abc',
        agent: 'scripted',
        model: 'm-task',
        runKind: 'initial',
        attempt: 1,
      },
    });
    expect(result.start && result.plan.prompt).toContain('Make sum add.');
  });

  it('prefers the agent and model the run was scheduled with', () => {
    const result = planRun(history(created, scheduled('t1-r1', { agent: 'codex', model: 'gpt-5' }), readyEvent), ready);
    expect(result).toMatchObject({ start: true, plan: { agent: 'codex', model: 'gpt-5' } });
  });

  it('puts the failing check output into a CI resume prompt', () => {
    const result = planRun(
      history(
        created,
        scheduled('t1-r1', {
          kind: RunKind.RESUME,
          resumeReason: ResumeReason.CI_FAILURE,
          attempt: 2,
          context: { failingChecks: [{ name: 'test', outputTail: 'not ok 1 - sum' }] },
        }),
        readyEvent,
      ),
      ready,
    );
    expect(result).toMatchObject({ start: true, plan: { runKind: 'resume', resumeReason: 'ci_failure', attempt: 2 } });
    expect(result.start && result.plan.prompt).toContain('not ok 1 - sum');
  });

  it('puts review comments with path:line into a review resume prompt', () => {
    const result = planRun(
      history(
        created,
        scheduled('t1-r1', {
          kind: RunKind.RESUME,
          resumeReason: ResumeReason.REVIEW,
          context: { reviewBody: 'Close.', reviewComments: [{ path: 'src/sum.js', line: 2, body: 'use +' }] },
        }),
        readyEvent,
      ),
      ready,
    );
    expect(result.start && result.plan.prompt).toContain('src/sum.js:2: use +');
  });

  it.each([
    ['the run has started already', [created, scheduled('t1-r1'), readyEvent, started]],
    [
      'the run has finished already',
      [
        created,
        scheduled('t1-r1'),
        readyEvent,
        started,
        { type: 'RunFinished', data: create(RunFinishedSchema, { runId: 't1-r1', outcome: RunOutcome.SUCCEEDED }) },
      ],
    ],
    ['the task is cancelled', [created, scheduled('t1-r1'), { type: 'TaskCancelled', data: create(TaskCancelledSchema, {}) }, readyEvent]],
    ['run t1-r1 was never scheduled', [created]],
  ] as Array<[string, TaskEvent[]]>)('skips the run when %s', (reason, events) => {
    expect(planRun(history(...events), ready)).toMatchObject({ start: false, reason });
  });
});
