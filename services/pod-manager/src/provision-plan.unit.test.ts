import { describe, expect, it } from 'vitest';
import {
  create,
  RunFinishedSchema,
  RunKind,
  RunOutcome,
  RunScheduledSchema,
  TaskCancelledSchema,
  TaskCreatedSchema,
  TaskKind,
  WorkspaceReadySchema,
  type Envelope,
  type NewEvent,
} from '@cohort/contracts';
import { keepsWorkspaces, planProvision, taskStateOf } from './provision-plan.js';

function history(...events: NewEvent[]): Envelope[] {
  return events.map(
    (event, i) =>
      ({
        ...event,
        aggregateType: 'task',
        aggregateId: 't1',
        version: i + 1,
        occurredAt: '2026-01-01T00:00:00.000Z',
        correlationId: '',
        causationId: '',
        traceparent: '',
      }) as Envelope,
  );
}

const created: NewEvent = {
  id: 'e1',
  type: 'TaskCreated',
  data: create(TaskCreatedSchema, {
    taskId: 't1',
    kind: TaskKind.REPO,
    title: 'x',
    repoId: 'demo',
    baseBranch: 'develop',
    agent: 'scripted',
  }),
};
const scheduled = (runId: string, init: { notBefore?: string; kind?: RunKind; attempt?: number } = {}): NewEvent => ({
  id: `s-${runId}`,
  type: 'RunScheduled',
  data: create(RunScheduledSchema, { runId, attempt: init.attempt ?? 1, kind: init.kind ?? RunKind.INITIAL, branch: 'cohort/t1', ...init }),
});
const ready = (runId: string): NewEvent => ({
  id: `w-${runId}`,
  type: 'WorkspaceReady',
  data: create(WorkspaceReadySchema, { runId, workspaceId: `t1.${runId}` }),
});
const finished = (runId: string): NewEvent => ({
  id: `f-${runId}`,
  type: 'RunFinished',
  data: create(RunFinishedSchema, { runId, outcome: RunOutcome.FAILED }),
});
const cancelled: NewEvent = { id: 'c', type: 'TaskCancelled', data: create(TaskCancelledSchema, {}) };

describe('planProvision', () => {
  it('provisions a scheduled current run on its branch and the task’s base', () => {
    const decision = planProvision(history(created, scheduled('t1-r1', { notBefore: '2026-01-01T00:01:00.000Z' })), 't1-r1');
    expect(decision).toEqual({
      provision: true,
      version: 2,
      plan: {
        taskId: 't1',
        runId: 't1-r1',
        taskKind: TaskKind.REPO,
        repoId: 'demo',
        branch: 'cohort/t1',
        baseBranch: 'develop',
        notBefore: Date.parse('2026-01-01T00:01:00.000Z'),
      },
    });
  });

  it.each([
    ['a task with no TaskCreated', history(scheduled('t1-r1')), 'the task has no TaskCreated'],
    ['an unknown run', history(created), 'run t1-r1 was never scheduled'],
    ['a run with a workspace already', history(created, scheduled('t1-r1'), ready('t1-r1')), 'the run is provisioning already'],
    ['a cancelled task', history(created, scheduled('t1-r1'), cancelled), 'the task is cancelled'],
  ])('skips %s', (_name, events, reason) => {
    expect(planProvision(events, 't1-r1')).toMatchObject({ provision: false, reason });
  });

  it('skips a run superseded by a newer one', () => {
    const events = history(created, scheduled('t1-r1'), finished('t1-r1'), scheduled('t1-r2', { attempt: 2 }));
    expect(planProvision(events, 't1-r1').provision).toBe(false);
    expect(planProvision(events, 't1-r2').provision).toBe(true);
  });
});

describe('keepsWorkspaces', () => {
  it('keeps the workspaces of a task with a run not yet ended, and no others', () => {
    expect(keepsWorkspaces(taskStateOf(history(created, scheduled('t1-r1'), ready('t1-r1'))))).toBe(true);
    expect(keepsWorkspaces(taskStateOf(history(created, scheduled('t1-r1'), ready('t1-r1'), finished('t1-r1'))))).toBe(false);
    expect(keepsWorkspaces(taskStateOf(history(created, scheduled('t1-r1'), cancelled)))).toBe(false);
    expect(keepsWorkspaces(undefined)).toBe(false);
  });
});
