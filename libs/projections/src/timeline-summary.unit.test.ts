import { describe, expect, it } from 'vitest';
import {
  create,
  ErrorInfoSchema,
  eventSchemas,
  RunFinishedSchema,
  RunOutcome,
  SecretSetSchema,
  TaskCreatedSchema,
  TaskKind,
  TaskResumeRequestedSchema,
  UsageSchema,
  type Envelope,
  type EventType,
} from '@cohort/contracts';
import { runIdOfEvent, timelineEntryOf, timelineSummary } from './timeline-summary.js';

function envelope(type: EventType, data: unknown, version = 1): Envelope {
  return {
    id: `evt-${type}-${version}`,
    type,
    aggregateType: type.startsWith('Secret') ? 'secret' : type.startsWith('Repo') ? 'repo' : 'task',
    aggregateId: 'agg-1',
    version,
    occurredAt: '2026-11-21T10:00:00.000Z',
    correlationId: 'c',
    causationId: 'c',
    traceparent: '',
    data,
  } as Envelope;
}

describe('timeline summary', () => {
  it.each([
    {
      name: 'a created task by its title and repository',
      event: envelope(
        'TaskCreated',
        create(TaskCreatedSchema, { taskId: 't', kind: TaskKind.REPO, title: 'Fix login', repoId: 'web', agent: 'x' }),
      ),
      summary: 'task created: Fix login (repo web)',
    },
    {
      name: 'a failed run with its error and usage',
      event: envelope(
        'RunFinished',
        create(RunFinishedSchema, {
          runId: 't-r1',
          outcome: RunOutcome.FAILED,
          error: create(ErrorInfoSchema, { message: 'agent exited with 1' }),
          usage: create(UsageSchema, { inputTokens: 10, outputTokens: 5, costUsd: 0.5 }),
        }),
      ),
      summary: 'run t-r1 failed: agent exited with 1 ($0.5000, 10 in / 5 out tokens)',
    },
    {
      name: 'a message for the agent on one line',
      event: envelope('TaskResumeRequested', create(TaskResumeRequestedSchema, { message: 'please\n  also fix\tthe tests', by: 'ana' })),
      summary: 'message for the agent by ana: please also fix the tests',
    },
    {
      name: 'a secret by name and scope only',
      event: envelope('SecretSet', create(SecretSetSchema, { name: 'GITHUB_TOKEN', scope: 'repo:web', revision: 3 })),
      summary: 'secret GITHUB_TOKEN set (repo:web)',
    },
  ])('describes $name', ({ event, summary }) => {
    expect(timelineSummary(event)).toBe(summary);
  });

  it('cuts a long text to one bounded line', () => {
    const summary = timelineSummary(envelope('TaskResumeRequested', create(TaskResumeRequestedSchema, { message: 'x'.repeat(1000) })));
    expect(summary.length).toBeLessThanOrEqual(250);
    expect(summary.endsWith('…')).toBe(true);
  });

  it.each(Object.keys(eventSchemas) as EventType[])('gives %s a non-empty single line even with empty data', (type) => {
    const summary = timelineSummary(envelope(type, create(eventSchemas[type] as never)));
    expect(summary).toMatch(/^\S.*$/);
  });
});

describe('timeline entry', () => {
  it('names the run and gives the data as canonical JSON', () => {
    const event = envelope('RunFinished', create(RunFinishedSchema, { runId: 't-r2', outcome: RunOutcome.SUCCEEDED, headSha: 'abc' }), 7);
    expect(timelineEntryOf(event, 42)).toEqual({
      position: 42,
      eventId: 'evt-RunFinished-7',
      type: 'RunFinished',
      version: 7,
      occurredAt: '2026-11-21T10:00:00.000Z',
      runId: 't-r2',
      summary: 'run t-r2 succeeded',
      data: { runId: 't-r2', outcome: 'RUN_OUTCOME_SUCCEEDED', headSha: 'abc' },
    });
  });

  it('has no run for events about the task as a whole', () => {
    expect(runIdOfEvent(envelope('TaskCreated', create(TaskCreatedSchema, { taskId: 't', title: 'x', agent: 'y' })))).toBeNull();
  });
});
