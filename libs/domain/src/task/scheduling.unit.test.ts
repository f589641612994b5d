import { describe, expect, it } from 'vitest';
import {
  ReviewVerdict,
  RunKind,
  TaskKind,
  build,
  checks,
  CheckStatus,
  created,
  e,
  scheduled,
  started,
  withOpenPr,
  world,
} from '../../test/builders.js';
import { actionToEvents } from './action-to-events.js';
import { evolve } from './evolve.js';
import { compareForScheduling, pickRunnable } from './pick-runnable.js';
import { reconcile } from './reconcile.js';
import type { TaskState } from './task-state.js';

const task = (id: string, priority: number, createdAt: string, repoId = 'acme/web', kind = TaskKind.REPO): TaskState => ({
  ...build([created({ taskId: id, priority, repoId, kind })]),
  createdAt,
});

describe('pickRunnable', () => {
  const a = task('a', 0, '2026-01-01T00:00:03Z');
  const b = task('b', 5, '2026-01-01T00:00:05Z');
  const c = task('c', 0, '2026-01-01T00:00:01Z');
  const d = task('d', 0, '2026-01-01T00:00:01Z', 'acme/api');
  const s = task('s', 0, '2026-01-01T00:00:00Z', '', TaskKind.STANDALONE);

  it('orders by priority first, then first created, then id', () => {
    expect([a, b, c, d].sort(compareForScheduling).map((t) => t.id)).toEqual(['b', 'c', 'd', 'a']);
    const noTime = { ...a, createdAt: undefined };
    expect(compareForScheduling(noTime, noTime)).toBe(0);
  });

  it('admits as many tasks as the global slots allow', () => {
    expect(pickRunnable([a, b, c], { globalFree: 2, perRepoFree: {} }).map((t) => t.id)).toEqual(['b', 'c']);
  });

  it('skips a task whose repository is full and admits the next one', () => {
    expect(pickRunnable([a, b, c, d, s], { globalFree: 3, perRepoFree: { 'acme/web': 1, 'acme/api': 1 } }).map((t) => t.id)).toEqual([
      'b',
      's',
      'd',
    ]);
  });

  it('admits nothing without global slots', () => {
    expect(pickRunnable([a], { globalFree: 0, perRepoFree: {} })).toEqual([]);
  });
});

describe('actionToEvents', () => {
  it('maps each action to the event that carries it out, once', () => {
    let s = build([created({ dependsOn: ['x'] })]);
    const release = reconcile(s, world({ completedTaskIds: ['x'] }))[0]!;
    expect(actionToEvents(release, s).map((ev) => ev.type)).toEqual(['TaskDependenciesMet']);
    s = evolve(s, actionToEvents(release, s)[0]!);
    expect(actionToEvents(release, s)).toEqual([]);
  });

  it('does not time out a run that already ended or does not exist', () => {
    const s = build([created(), scheduled(1), started(1)]);
    const timeout = reconcile(s, world({ heartbeatAgeMs: 10 ** 9 }))[0]!;
    expect(actionToEvents(timeout, s)).toHaveLength(1);
    expect(actionToEvents({ ...timeout, runId: 'nope' } as never, s)).toEqual([]);
  });

  it('does not request a merge again, nor without a PR', () => {
    const s = withOpenPr({}, [checks('sha1', CheckStatus.PASSING)]);
    const merge = reconcile(s, world())[0]!;
    expect(merge.type).toBe('RequestMerge');
    expect(actionToEvents(merge, build([created()]))).toEqual([]);
    expect(actionToEvents(merge, evolve(s, actionToEvents(merge, s)[0]!))).toEqual([]);
  });

  it('does not fail, complete or flag a task twice', () => {
    const failedState = build([created(), e('TaskFailed', { reason: 'x' })]);
    expect(actionToEvents({ type: 'FailTask', id: 'i', reason: 'retries_exhausted', detail: 'd', error: undefined }, failedState)).toEqual(
      [],
    );
    const queued = build([created()]);
    expect(
      actionToEvents({ type: 'FailTask', id: 'i', reason: 'retries_exhausted', detail: 'd', error: undefined }, queued)[0],
    ).toMatchObject({ type: 'TaskFailed', data: { reason: 'retries_exhausted: d' } });
    const done = withOpenPr({}, [e('PullRequestMerged', { number: 7 }), e('TaskCompleted', {})]);
    expect(actionToEvents({ type: 'CompleteTask', id: 'i', summary: '' }, done)).toEqual([]);
    const flagged = build([created(), e('TaskNeedsAttention', { reason: 'x' })]);
    expect(actionToEvents({ type: 'MarkNeedsAttention', id: 'i', reason: 'no_changes', detail: '' }, flagged)).toEqual([]);
  });

  it('does not request a pull request twice', () => {
    const s = withOpenPr();
    expect(
      actionToEvents(
        {
          type: 'RequestPullRequest',
          id: 'i',
          runId: 'r',
          branch: 'b',
          baseBranch: 'main',
          title: 't',
          body: '',
          headSha: 'x',
          draft: false,
        },
        s,
      ),
    ).toEqual([]);
  });

  it('schedules a review run as a RunScheduled of kind REVIEW for the head', () => {
    const s = withOpenPr({ reviewAgent: { enabled: true } });
    const [action] = reconcile(s, world());
    expect(actionToEvents(action!, s)[0]).toMatchObject({
      type: 'RunScheduled',
      data: { kind: RunKind.REVIEW, headSha: 'sha1', runId: 't1-r2' },
    });
  });

  it('keeps approvals by people in the reviews of the PR', () => {
    const s = withOpenPr({}, [e('ReviewSubmitted', { number: 7, verdict: ReviewVerdict.APPROVED })]);
    expect(s.pr?.reviews[0]).toMatchObject({ headSha: 'sha1', verdict: ReviewVerdict.APPROVED });
  });
});
