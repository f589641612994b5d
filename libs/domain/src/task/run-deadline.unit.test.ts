import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ErrorCategory, type TaskEvent } from '@cohort/contracts';
import { NOW, ResumeReason, RunKind, build, created, e, ready, scheduled, started, world } from '../../test/builders.js';
import { resolvePolicy } from '../policy.js';
import { actionToEvents } from './action-to-events.js';
import { fold } from './evolve.js';
import { reconcile } from './reconcile.js';

const at = (event: TaskEvent, ms: number) => ({ ...event, occurredAt: new Date(ms).toISOString() });
const MINUTE = 60_000;

describe('run deadlines', () => {
  it('times out a running run with a fresh heartbeat exactly when it ran longer than the maximum run duration', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 180 }).map((m) => m * MINUTE),
        fc.integer({ min: 0, max: 6 * 60 * MINUTE }),
        fc.integer({ min: 0, max: 10 * MINUTE }),
        (maxRunDurationMs, runningMs, heartbeatAgeMs) => {
          const policy = resolvePolicy({ maxRunDurationMs });
          const state = build([created(), scheduled(1), ready(1), at(started(1), NOW - runningMs)]);
          const actions = reconcile(state, world({ policy, heartbeatAgeMs }));
          if (runningMs > maxRunDurationMs) expect(actions).toMatchObject([{ type: 'TimeOutRun', runId: 't1-r1' }]);
          else expect(actions).toEqual([]);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('after a run is timed out, never times it out again and retries it or fails the task', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 5 }), fc.integer({ min: 0, max: 4 }), (maxRetries, earlierTimeouts) => {
        const policy = resolvePolicy({ maxRunDurationMs: MINUTE, maxRetries });
        let state = build([created()]);
        for (let attempt = 1; attempt <= earlierTimeouts + 1; attempt++) {
          state = fold([scheduled(attempt), ready(attempt), at(started(attempt), NOW - 2 * MINUTE)], state)!;
          const [timeOut] = reconcile(state, world({ policy }));
          expect(timeOut).toMatchObject({ type: 'TimeOutRun', runId: `t1-r${attempt}` });
          state = fold(actionToEvents(timeOut!, state), state)!;
          expect(state.runs.at(-1)?.error?.category).toBe(ErrorCategory.TIMEOUT);
          const [next] = reconcile(state, world({ policy }));
          if (state.retries >= maxRetries) {
            expect(next).toMatchObject({ type: 'FailTask', reason: 'retries_exhausted' });
            return;
          }
          expect(next).toMatchObject({ type: 'ScheduleRun', runId: `t1-r${attempt + 1}` });
        }
      }),
      { numRuns: 100 },
    );
  });

  it('times out a run that has not started exactly when a stage took longer than the provisioning timeout', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 60 }).map((m) => m * MINUTE),
        fc.integer({ min: 0, max: 120 * MINUTE }),
        fc.integer({ min: -30 * MINUTE, max: 30 * MINUTE }),
        fc.option(fc.integer({ min: 0, max: 120 * MINUTE }), { nil: undefined }),
        (provisioningTimeoutMs, scheduledAgoMs, notBeforeFromNowMs, readyAgoMs) => {
          const policy = resolvePolicy({ provisioningTimeoutMs });
          const notBefore = new Date(NOW + notBeforeFromNowMs).toISOString();
          const events = [at(scheduled(1, RunKind.INITIAL, ResumeReason.UNSPECIFIED, '', notBefore), NOW - scheduledAgoMs)];
          if (readyAgoMs !== undefined) events.push(at(ready(1), NOW - readyAgoMs));
          const state = build([created(), ...events]);
          const waitedMs = readyAgoMs ?? Math.min(scheduledAgoMs, -notBeforeFromNowMs);
          const actions = reconcile(state, world({ policy, heartbeatAgeMs: 10 ** 9 }));
          if (waitedMs > provisioningTimeoutMs) {
            const stage = readyAgoMs === undefined ? 'scheduled' : 'provisioning';
            expect(actions).toMatchObject([{ type: 'TimeOutRun', runId: 't1-r1', reason: expect.stringContaining(`stuck in ${stage}`) }]);
          } else expect(actions).toEqual([]);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('does nothing for a run whose start time was never recorded', () => {
    const state = build([created(), scheduled(1), ready(1), e('RunStarted', { runId: 't1-r1' })]);
    expect(reconcile(state, world({ now: NOW + 10 ** 10 }))).toEqual([]);
  });
});
