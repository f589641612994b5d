import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  ApproveMergeSchema,
  CancelTaskSchema,
  ChangePrioritySchema,
  ResumeTaskSchema,
  RetryTaskSchema,
  SubmitReviewSchema,
  create,
  type TaskEvent,
} from '@cohort/contracts';
import { decide, type TaskCommand } from './decide.js';
import { CheckStatus, ReviewTrigger, ReviewVerdict, RunKind, RunOutcome, created, e, world } from '../../test/builders.js';
import { actionToEvents } from './action-to-events.js';
import { evolve, fold } from './evolve.js';
import { reconcile } from './reconcile.js';
import type { TaskState } from './task-state.js';
import { canTransition, isFinal } from './transitions.js';

const CAP = 3;
const heads = ['sha1', 'sha2', 'sha3'];

// Steps the outside world may take, expressed against the current state so that
// sequences stay plausible (events about the current run, the open PR's head…).
type Step =
  | { kind: 'reconcile'; heartbeat: number | undefined; free: number; seed: number }
  | { kind: 'world'; make: (s: TaskState) => TaskEvent | undefined }
  | { kind: 'command'; command: TaskCommand };

const runEvent = (make: (runId: string) => TaskEvent) => (s: TaskState) =>
  s.currentRunId === undefined ? undefined : make(s.currentRunId);
const prEvent = (make: (number: number, head: string) => TaskEvent) => (s: TaskState) =>
  s.pr === undefined ? undefined : make(s.pr.number, s.pr.headSha);

const worldStep: fc.Arbitrary<Step> = fc
  .oneof(
    fc.constant(runEvent((runId) => e('WorkspaceReady', { runId, workspaceId: 'w' }))),
    fc.constant(runEvent((runId) => e('RunStarted', { runId }))),
    fc
      .record({
        outcome: fc.constantFrom(RunOutcome.SUCCEEDED, RunOutcome.SUCCEEDED, RunOutcome.SUCCEEDED, RunOutcome.FAILED, RunOutcome.CANCELLED),
        head: fc.constantFrom(...heads),
        changes: fc.constantFrom(true, true, true, false),
        retryable: fc.boolean(),
      })
      .map((o) =>
        runEvent((runId) =>
          e('RunFinished', {
            runId,
            outcome: o.outcome,
            headSha: o.head,
            hasChanges: o.changes,
            usage: { costUsd: 0.1 },
            error: o.outcome === RunOutcome.FAILED ? { message: 'x', retryable: o.retryable, category: o.retryable ? 0 : 2 } : undefined,
          }),
        ),
      ),
    fc.constantFrom(...heads).map((head) => prEvent((number) => e('PullRequestUpdated', { number, headSha: head }))),
    fc
      .constantFrom(
        CheckStatus.PENDING,
        CheckStatus.PASSING,
        CheckStatus.PASSING,
        CheckStatus.PASSING,
        CheckStatus.FAILING,
        CheckStatus.UNSPECIFIED,
      )
      .map((status) =>
        prEvent((number, head) =>
          e('ChecksReported', {
            number,
            headSha: head,
            status,
            checks: status === CheckStatus.UNSPECIFIED ? [] : [{ name: 'ci', status }],
          }),
        ),
      ),
    fc
      .constantFrom(ReviewVerdict.APPROVED, ReviewVerdict.CHANGES_REQUESTED, ReviewVerdict.COMMENTED)
      .map((verdict) => prEvent((number, head) => e('ReviewSubmitted', { number, headSha: head, verdict, body: 'b' }))),
    fc.constant(prEvent((number, head) => e('ConflictDetected', { number, headSha: head, files: ['a'] }))),
    fc.constant(prEvent((number) => e('MergeFailed', { number }))),
  )
  .map((make) => ({ kind: 'world' as const, make }));

// What people do, through the decider as the gateway does.
const commandStep: fc.Arbitrary<Step> = fc
  .oneof(
    fc.constant({ type: 'RetryTask', data: create(RetryTaskSchema, { taskId: 't1' }) }),
    fc.constantFrom('go on', '  ').map((message) => ({ type: 'ResumeTask', data: create(ResumeTaskSchema, { taskId: 't1', message }) })),
    fc.constant({ type: 'ApproveMerge', data: create(ApproveMergeSchema, { taskId: 't1' }) }),
    fc
      .integer({ min: -2, max: 2 })
      .map((priority) => ({ type: 'ChangePriority', data: create(ChangePrioritySchema, { taskId: 't1', priority }) })),
    fc
      .constantFrom(ReviewVerdict.APPROVED, ReviewVerdict.CHANGES_REQUESTED)
      .map((verdict) => ({ type: 'SubmitReview', data: create(SubmitReviewSchema, { taskId: 't1', verdict, body: 'b' }) })),
  )
  .map((command) => ({ kind: 'command' as const, command: command as TaskCommand }));
const cancelStep: fc.Arbitrary<Step> = fc.constant({
  kind: 'command' as const,
  command: { type: 'CancelTask', data: create(CancelTaskSchema, { taskId: 't1' }) } as TaskCommand,
});

// Endings are rare, so that most sequences get far enough to exercise the PR loop.
const rareStep: fc.Arbitrary<Step> = fc
  .constantFrom(
    prEvent((number) => e('PullRequestMerged', { number })),
    prEvent((number) => e('PullRequestClosed', { number })),
    runEvent((runId) => e('RunTimedOut', { runId })),
    runEvent((runId) => e('WorkspaceFailed', { runId, error: { message: 'ECONNRESET', retryable: true } })),
    () => e('TaskDependenciesMet', {}),
  )
  .map((make) => ({ kind: 'world' as const, make }));

const reconcileStep: fc.Arbitrary<Step> = fc.record({
  kind: fc.constant('reconcile' as const),
  heartbeat: fc.oneof({ arbitrary: fc.constantFrom(undefined, 0), weight: 14 }, { arbitrary: fc.constant(10 ** 9), weight: 1 }),
  free: fc.constantFrom(0, 1, 2),
  seed: fc.nat(5),
});

const openStep: fc.Arbitrary<Step> = fc.constantFrom(...heads).map((head) => ({
  kind: 'world' as const,
  make: (s: TaskState) =>
    s.pr === undefined && s.pullRequestRequestedForHead !== undefined
      ? e('PullRequestOpened', { number: 7, headSha: s.pullRequestRequestedForHead || head })
      : undefined,
}));

const steps = fc.array(
  fc.oneof(
    { arbitrary: reconcileStep, weight: 18 },
    { arbitrary: worldStep, weight: 18 },
    { arbitrary: openStep, weight: 6 },
    { arbitrary: commandStep, weight: 5 },
    { arbitrary: rareStep, weight: 3 },
    { arbitrary: cancelStep, weight: 1 },
  ),
  { minLength: 30, maxLength: 120, size: 'max' },
);
const start = fc.record({
  autoMerge: fc.boolean(),
  approvalRequired: fc.boolean(),
  cautious: fc.boolean(),
  noChecksIsPassing: fc.boolean(),
  review: fc.constantFrom(undefined, ReviewTrigger.ON_PR_OPENED, ReviewTrigger.ON_CHECKS_PASSED),
  budgetUsd: fc.constantFrom(0, 0, 0, 0.5),
  standalone: fc.constantFrom(false, false, false, true),
});

type Start = typeof start extends fc.Arbitrary<infer T> ? T : never;

interface Trace {
  events: TaskEvent[];
  states: TaskState[];
  actionsAt: { state: TaskState; actions: ReturnType<typeof reconcile> }[];
}

function simulate(init: Start, plan: Step[]): Trace {
  const first = created({
    kind: init.standalone ? 2 : 1,
    repoId: init.standalone ? '' : 'acme/web',
    maxAutoResumes: CAP,
    budgetUsd: init.budgetUsd,
    policyInit: {
      autoMerge: init.autoMerge,
      approvalRequired: init.approvalRequired,
      cautious: init.cautious,
      noChecksIsPassing: init.noChecksIsPassing,
      reviewAgent: init.review === undefined ? undefined : { enabled: true, trigger: init.review },
    },
  });
  let state = evolve(undefined, first);
  const trace: Trace = { events: [first], states: [state], actionsAt: [] };
  const push = (event: TaskEvent) => {
    state = evolve(state, event);
    trace.events.push(event);
    trace.states.push(state);
  };
  for (const step of plan) {
    if (step.kind === 'command') {
      const decided = decide(step.command, state, { now: '2026-01-01T00:00:00Z', actor: 'dana' });
      if (decided.ok) for (const event of decided.events) push(event);
      continue;
    }
    if (step.kind === 'world') {
      const event = step.make(state);
      if (event !== undefined) push(event);
      continue;
    }
    const w = world({ heartbeatAgeMs: step.heartbeat, seed: step.seed, capacity: { globalFree: step.free, perRepoFree: {} } });
    const actions = reconcile(state, w);
    trace.actionsAt.push({ state, actions });
    for (const action of actions) for (const event of actionToEvents(action, state, w.now)) push(event);
  }
  return trace;
}

const humanTypes = new Set(['TaskRetryRequested', 'TaskResumeRequested', 'MergeApproved']);

// The pull request phase alone, with policies under which merges can happen and
// heads that move back and forth (force pushes), to stress merge-once and review-once.
const prPhaseStep: fc.Arbitrary<Step> = fc.oneof(
  { arbitrary: reconcileStep, weight: 8 },
  {
    arbitrary: fc
      .oneof(
        fc
          .constantFrom(CheckStatus.PASSING, CheckStatus.PASSING, CheckStatus.FAILING, CheckStatus.PENDING)
          .map((status) =>
            prEvent((number, head) => e('ChecksReported', { number, headSha: head, status, checks: [{ name: 'ci', status }] })),
          ),
        fc.constantFrom(...heads).map((head) => prEvent((number) => e('PullRequestUpdated', { number, headSha: head }))),
        fc.constant(prEvent((number) => e('MergeFailed', { number }))),
        fc
          .constantFrom(ReviewVerdict.APPROVED, ReviewVerdict.APPROVED, ReviewVerdict.CHANGES_REQUESTED)
          .map((verdict) => prEvent((number, head) => e('ReviewSubmitted', { number, headSha: head, verdict }))),
        fc.constant(prEvent((number, head) => e('ConflictDetected', { number, headSha: head }))),
        fc
          .constantFrom(...heads)
          .map((head) => runEvent((runId) => e('RunFinished', { runId, outcome: RunOutcome.SUCCEEDED, headSha: head, hasChanges: true }))),
        fc.constant(runEvent((runId) => e('RunStarted', { runId }))),
      )
      .map((make) => ({ kind: 'world' as const, make })),
    weight: 8,
  },
  { arbitrary: commandStep, weight: 2 },
);

function simulatePr(init: Start, plan: Step[]): Trace {
  const prefix: Step[] = [
    { kind: 'reconcile', heartbeat: 0, free: 1, seed: 0 },
    {
      kind: 'world',
      make: runEvent((runId) => e('RunFinished', { runId, outcome: RunOutcome.SUCCEEDED, headSha: 'sha1', hasChanges: true })),
    },
    { kind: 'reconcile', heartbeat: 0, free: 1, seed: 0 },
    { kind: 'world', make: () => e('PullRequestOpened', { number: 7, headSha: 'sha1' }) },
  ];
  return simulate({ ...init, standalone: false, budgetUsd: 0, autoMerge: true, cautious: false }, [...prefix, ...plan]);
}

const prPlan = fc.array(prPhaseStep, { minLength: 20, maxLength: 120, size: 'max' });

describe('properties', { timeout: 60_000 }, () => {
  it('merges and reviews often enough in the PR phase to test merge-once and review-once', () => {
    const traces = fc.sample(fc.tuple(start, prPlan), { numRuns: 300, seed: 11 }).map(([i, p]) => simulatePr(i, p).events);
    expect(traces.filter((t) => t.some((ev) => ev.type === 'MergeRequested')).length).toBeGreaterThan(50);
    expect(traces.filter((t) => t.filter((ev) => ev.type === 'MergeRequested').length > 1).length).toBeGreaterThan(5);
    expect(
      traces.filter((t) => t.filter((ev) => ev.type === 'RunScheduled' && ev.data.kind === RunKind.REVIEW).length > 1).length,
    ).toBeGreaterThan(10);
  });

  it('never requests two merges for one PR head, nor two review runs for one head commit, in the PR phase', () => {
    fc.assert(
      fc.property(start, prPlan, (init, plan) => {
        const { events, states } = simulatePr(init, plan);
        const merges = events.filter((ev) => ev.type === 'MergeRequested').map((ev) => `${ev.data.number}@${ev.data.headSha}`);
        expect(new Set(merges).size).toBe(merges.length);
        const reviews = events
          .filter((ev) => ev.type === 'RunScheduled' && ev.data.kind === RunKind.REVIEW)
          .map((ev) => (ev as { data: { headSha: string } }).data.headSha);
        expect(new Set(reviews).size).toBe(reviews.length);
        for (const s of states) expect(s.autoResumesSinceHuman).toBeLessThanOrEqual(CAP);
        for (let i = 1; i < states.length; i++) expect(canTransition(states[i - 1]!.status, states[i]!.status)).toBe(true);
      }),
      { numRuns: 500 },
    );
  });

  it('explores merges, resumes, review runs, retries and completions (the generator is not vacuous)', () => {
    const seen = new Set<string>();
    for (const [init, plan] of fc.sample(fc.tuple(start, steps), { numRuns: 1500, seed: 7 })) {
      for (const ev of simulate(init, plan).events) {
        seen.add(ev.type === 'RunScheduled' ? `RunScheduled:${ev.data.kind}` : ev.type);
      }
    }
    for (const type of [
      'MergeRequested',
      'MergeApproved',
      'TaskRetryRequested',
      'TaskResumeRequested',
      'TaskCancelled',
      'ReviewSubmitted',
      'TaskCompleted',
      'TaskNeedsAttention',
      'TaskFailed',
      'RunTimedOut',
      `RunScheduled:${RunKind.RESUME}`,
      `RunScheduled:${RunKind.REVIEW}`,
      'PullRequestRequested',
    ]) {
      expect([...seen].join(',')).toContain(type);
    }
  });

  it('never takes a transition outside the table from random command and event sequences, and final states never change', () => {
    fc.assert(
      fc.property(start, steps, (init, plan) => {
        const { states } = simulate(init, plan);
        for (let i = 1; i < states.length; i++) {
          const [a, b] = [states[i - 1]!, states[i]!];
          expect(canTransition(a.status, b.status)).toBe(true);
          if (isFinal(a.status)) expect(b.status).toBe(a.status);
          if (b.currentRunId !== undefined) expect(b.runs.some((r) => r.id === b.currentRunId && r.status !== 'finished')).toBe(true);
        }
      }),
      { numRuns: 300 },
    );
  });

  it('never reaches an illegal state from arbitrary raw event sequences', () => {
    const raw = fc.array(
      fc.oneof(
        fc.constantFrom(1, 2, 3).map((n) => e('RunScheduled', { runId: `t1-r${n}`, attempt: n, kind: (n % 3) + 1, headSha: 'sha1' })),
        fc.constantFrom(1, 2, 3).map((n) => e('RunStarted', { runId: `t1-r${n}` })),
        fc
          .constantFrom(1, 2, 3)
          .map((n) => e('RunFinished', { runId: `t1-r${n}`, outcome: RunOutcome.SUCCEEDED, headSha: 'sha2', hasChanges: true })),
        fc.constant(e('PullRequestOpened', { number: 7, headSha: 'sha1' })),
        fc.constant(e('PullRequestMerged', { number: 7 })),
        fc.constant(e('TaskNeedsAttention', { reason: 'x' })),
        fc.constant(e('TaskFailed', { reason: 'x' })),
        fc.constant(e('TaskCompleted', {})),
        fc.constant(e('TaskCancelled', {})),
        fc.constant(e('TaskRetryRequested', {})),
        fc.constant(e('TaskDependenciesMet', {})),
      ),
      { maxLength: 40 },
    );
    fc.assert(
      fc.property(fc.boolean(), raw, (waiting, events) => {
        let s = evolve(undefined, created({ dependsOn: waiting ? ['x'] : [] }));
        for (const event of events) {
          const next = evolve(s, event);
          expect(canTransition(s.status, next.status)).toBe(true);
          s = next;
        }
      }),
      { numRuns: 300 },
    );
  });

  it('reconciles equal inputs to equal actions', () => {
    fc.assert(
      fc.property(start, steps, (init, plan) => {
        const { actionsAt } = simulate(init, plan);
        for (const { state, actions } of actionsAt) {
          const copy = structuredClone(state);
          expect(reconcile(copy, world({ capacity: { globalFree: 1, perRepoFree: {} } }))).toEqual(
            reconcile(state, world({ capacity: { globalFree: 1, perRepoFree: {} } })),
          );
          expect(actions.length).toBeLessThanOrEqual(1);
        }
      }),
      { numRuns: 200 },
    );
  });

  it('never requests two merges for one PR head, nor two review runs for one head commit', () => {
    fc.assert(
      fc.property(start, steps, (init, plan) => {
        const { events } = simulate(init, plan);
        const merges = events.filter((ev) => ev.type === 'MergeRequested').map((ev) => `${ev.data.number}@${ev.data.headSha}`);
        expect(new Set(merges).size).toBe(merges.length);
        const reviews = events
          .filter((ev) => ev.type === 'RunScheduled' && ev.data.kind === RunKind.REVIEW)
          .map((ev) => (ev as { data: { headSha: string } }).data.headSha);
        expect(new Set(reviews).size).toBe(reviews.length);
      }),
      { numRuns: 300 },
    );
  });

  it('never starts more automatic resumes than the cap between human actions', () => {
    fc.assert(
      fc.property(start, steps, (init, plan) => {
        const { states } = simulate(init, plan);
        for (const s of states) expect(s.autoResumesSinceHuman).toBeLessThanOrEqual(CAP);
        // Independently of evolve's counter: distinct (reason, head) automatic resumes
        // since the last human action. Retries of a failed resume reuse the key.
        const { events } = simulate(init, plan);
        let keys = new Set<string>();
        for (const ev of events) {
          if (humanTypes.has(ev.type)) keys = new Set();
          if (ev.type === 'RunScheduled' && ev.data.kind === RunKind.RESUME && ev.data.resumeReason !== 4)
            keys.add(`${ev.data.resumeReason}@${ev.data.headSha}`);
          expect(keys.size).toBeLessThanOrEqual(CAP);
        }
      }),
      { numRuns: 300 },
    );
  });

  it('yields no actions for a completed or cancelled task', () => {
    fc.assert(
      fc.property(start, steps, fc.constantFrom(0, 10 ** 9), (init, plan, heartbeat) => {
        const { states } = simulate(init, plan);
        for (const s of states.filter((x) => isFinal(x.status))) {
          expect(reconcile(s, world({ heartbeatAgeMs: heartbeat }))).toEqual([]);
        }
      }),
      { numRuns: 200 },
    );
  });

  it('folds a history in one go to the same state as in two halves', () => {
    fc.assert(
      fc.property(start, steps, fc.double({ min: 0, max: 1, noNaN: true }), (init, plan, cut) => {
        const { events } = simulate(init, plan);
        const at = Math.max(1, Math.floor(events.length * cut));
        expect(fold(events.slice(at), fold(events.slice(0, at)))).toEqual(fold(events));
      }),
      { numRuns: 200 },
    );
  });

  it('applying the actions of one reconcile twice appends them once', () => {
    fc.assert(
      fc.property(start, steps, (init, plan) => {
        const { actionsAt } = simulate(init, plan);
        for (const { state, actions } of actionsAt) {
          let s = state;
          for (const action of actions) {
            for (const ev of actionToEvents(action, s)) {
              const next = evolve(s, ev);
              // What the reconciler asks for must be something evolve accepts, or it would ask forever.
              expect({ action, ignored: next.ignoredEvents - s.ignoredEvents }).toEqual({ action, ignored: 0 });
              s = next;
            }
          }
          for (const action of actions) expect({ action, events: actionToEvents(action, s) }).toEqual({ action, events: [] });
        }
      }),
      { numRuns: 200 },
    );
  });
});
