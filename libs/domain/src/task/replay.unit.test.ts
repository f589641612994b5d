import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ResumeReason, RunKind, decodeEnvelope, type Envelope, type TaskEvent } from '@cohort/contracts';
import { actionToEvents } from './action-to-events.js';
import { fold } from './evolve.js';
import { reconcile } from './reconcile.js';
import { stageOf } from './stage.js';

const raw = JSON.parse(readFileSync(new URL('../../test/fixtures/ci-failure-review-merge.json', import.meta.url), 'utf8')) as unknown[];
const history = raw.map((entry) => {
  const decoded = decodeEnvelope(JSON.stringify(entry));
  if (!decoded.ok) throw new Error(decoded.error.message);
  return decoded.value as Envelope<TaskEvent>;
});

// Facts the scheduler appends: each must be exactly what reconcile decides on the history before it.
const SCHEDULER_EVENTS = new Set([
  'RunScheduled',
  'PullRequestRequested',
  'MergeRequested',
  'RunTimedOut',
  'TaskNeedsAttention',
  'TaskFailed',
  'TaskCompleted',
  'TaskDependenciesMet',
]);

describe('replay: CI failure, a review round and a merge', () => {
  it('folds the recorded history to the expected final state', () => {
    const state = fold(history)!;
    expect(state).toMatchObject({
      id: 'tsk_7f3a9c',
      status: 'completed',
      version: 33,
      eventCount: 33,
      ignoredEvents: 0,
      currentRunId: undefined,
      autoResumesSinceHuman: 2,
      retries: 0,
      ticketClosed: true,
      createdAt: '2026-03-02T09:00:07.000Z',
      completedAt: history.find((e) => e.type === 'TaskCompleted')!.occurredAt,
      reviewRunsByHead: { a2: 'tsk_7f3a9c-r3', a3: 'tsk_7f3a9c-r5' },
    });
    expect(state.totalCostUsd).toBeCloseTo(0.16 + 0.05 + 0.25 + 0.04 + 0.2, 6);
    expect(state.pr).toMatchObject({ number: 118, headSha: 'a3', merged: true, mergeSha: 'm118', mergeFailedHeads: [] });
    expect(state.runs.map((r) => [r.id, r.kind, r.reason])).toEqual([
      ['tsk_7f3a9c-r1', RunKind.INITIAL, ResumeReason.UNSPECIFIED],
      ['tsk_7f3a9c-r2', RunKind.RESUME, ResumeReason.CI_FAILURE],
      ['tsk_7f3a9c-r3', RunKind.REVIEW, ResumeReason.UNSPECIFIED],
      ['tsk_7f3a9c-r4', RunKind.RESUME, ResumeReason.REVIEW],
      ['tsk_7f3a9c-r5', RunKind.REVIEW, ResumeReason.UNSPECIFIED],
    ]);
    expect(stageOf(state)).toBe('done');
  });

  it.each(history.map((env, i) => ({ i, env })).filter(({ env }) => SCHEDULER_EVENTS.has(env.type)))(
    'reconcile reproduces event $i ($env.type) from the history before it',
    ({ i, env }) => {
      const before = fold(history.slice(0, i))!;
      const actions = reconcile(before, {
        now: env.occurredAt,
        capacity: { globalFree: 4, perRepoFree: { 'acme/web': 2 } },
        seed: 'replay',
        openSubtaskIds: [],
      });
      const events = actions.flatMap((a) => actionToEvents(a, before, env.occurredAt));
      expect(events).toEqual([{ type: env.type, data: env.data }]);
    },
  );

  it('resumes for CI with the failing check and its output, and for the review with path:line', () => {
    const scheduled = history.filter((e): e is Envelope<Extract<TaskEvent, { type: 'RunScheduled' }>> => e.type === 'RunScheduled');
    expect(scheduled[1]!.data.context?.failingChecks.map((c) => [c.name, c.outputTail])).toEqual([
      ['unit', expect.stringContaining('expected 401, got 200')],
    ]);
    expect(scheduled[3]!.data.context?.reviewComments[0]).toMatchObject({ path: 'src/session/guard.ts', line: 42 });
  });

  it('decides nothing more once the task completed', () => {
    expect(reconcile(fold(history), { now: 0, capacity: { globalFree: 9, perRepoFree: {} }, seed: 0 })).toEqual([]);
  });

  it('folds to the same state when every event is delivered twice', () => {
    const twice = history.flatMap((e) => [e, e]);
    const a = fold(history)!;
    const b = fold(twice)!;
    expect({ ...b, eventCount: a.eventCount, ignoredEvents: a.ignoredEvents, version: a.version }).toEqual(a);
  });
});
