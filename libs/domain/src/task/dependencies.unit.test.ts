import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { build, created, e, scheduled, started, world } from '../../test/builders.js';
import { actionToEvents } from './action-to-events.js';
import { dependencyStateOf, type DependencyOutcome, type DependencyState } from './dependencies.js';
import { fold } from './evolve.js';
import { reconcile } from './reconcile.js';

describe('dependencyStateOf', () => {
  it.each([
    { name: 'an unknown task is pending', events: undefined, expected: { outcome: 'pending', detail: '' } },
    { name: 'a queued task is pending', events: [created()], expected: { outcome: 'pending', detail: '' } },
    {
      name: 'a completed task is completed',
      events: [created(), scheduled(1), started(1), e('TaskCompleted', {})],
      expected: { outcome: 'completed', detail: '' },
    },
    { name: 'a cancelled task is cancelled', events: [created(), e('TaskCancelled', {})], expected: { outcome: 'cancelled', detail: '' } },
    {
      name: 'a failed task is failed, with why',
      events: [created(), e('TaskFailed', { reason: 'retries_exhausted: run t1-r4 failed' })],
      expected: { outcome: 'failed', detail: 'retries_exhausted: run t1-r4 failed' },
    },
    {
      name: 'a failed task someone retried is pending again',
      events: [created(), e('TaskFailed', { reason: 'x' }), e('TaskRetryRequested', {})],
      expected: { outcome: 'pending', detail: '' },
    },
  ])('$name', ({ events, expected }) => {
    expect(dependencyStateOf(events === undefined ? undefined : build(events))).toEqual(expected);
  });
});

const outcome: fc.Arbitrary<DependencyOutcome> = fc.constantFrom('pending', 'completed', 'cancelled', 'failed');

describe('waiting for dependencies', () => {
  it('never starts before every dependency completed, never waits on a dead one, and a retry always waits again', () => {
    fc.assert(
      fc.property(fc.array(outcome, { minLength: 1, maxLength: 5 }), fc.array(outcome, { minLength: 1, maxLength: 5 }), (first, later) => {
        const ids = first.map((_, i) => `d${i}`);
        const states = (outcomes: DependencyOutcome[]): Record<string, DependencyState> =>
          Object.fromEntries(ids.map((id, i) => [id, { outcome: outcomes[i % outcomes.length]!, detail: '' }]));
        let state = build([created({ dependsOn: ids })]);
        for (const outcomes of [first, later]) {
          const dependencies = states(outcomes);
          const values = Object.values(dependencies).map((d) => d.outcome);
          const [action] = reconcile(state, world({ dependencies }));
          if (values.some((o) => o === 'cancelled' || o === 'failed')) {
            expect(action).toMatchObject({ type: 'FailTask', reason: expect.stringMatching(/^dependency_(cancelled|failed)$/) });
          } else if (values.every((o) => o === 'completed')) {
            expect(action).toMatchObject({ type: 'ReleaseDependencies' });
          } else {
            expect(action).toBeUndefined();
          }
          if (action?.type !== 'FailTask') return;
          state = fold(actionToEvents(action, state), state)!;
          expect(state.status).toBe('failed');
          // A failed task is left alone until a person retries it; then it waits again.
          expect(reconcile(state, world({ dependencies }))).toEqual([]);
          state = fold([e('TaskRetryRequested', {})], state)!;
          expect(state.status).toBe('waiting');
        }
      }),
      { numRuns: 300 },
    );
  });
});
