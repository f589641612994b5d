import type { Policy } from '../policy.js';
import type { RunState } from './task-state.js';

/**
 * Why a run that has not ended must be given up on now, or undefined while it
 * may go on. Pure: the clock and the heartbeat age come in as arguments. A run
 * whose times are unknown (folded without metadata) is never overdue by them.
 */
export function overdueReason(run: RunState, nowMs: number, heartbeatAgeMs: number | undefined, policy: Policy): string | undefined {
  if (run.status !== 'running') return undefined;
  if (heartbeatAgeMs !== undefined && heartbeatAgeMs > policy.stallThresholdMs) {
    return `no heartbeat for ${seconds(heartbeatAgeMs)} (stall threshold ${seconds(policy.stallThresholdMs)})`;
  }
  const runningMs = elapsedSince(run.startedAt, nowMs);
  if (runningMs !== undefined && runningMs > policy.maxRunDurationMs) {
    return `running for ${seconds(runningMs)}, longer than the maximum run duration of ${seconds(policy.maxRunDurationMs)}`;
  }
  return undefined;
}

function elapsedSince(at: string | undefined, nowMs: number): number | undefined {
  if (at === undefined || at === '') return undefined;
  const from = Date.parse(at);
  return Number.isNaN(from) ? undefined : nowMs - from;
}

function seconds(ms: number): string {
  return `${Number((ms / 1000).toFixed(1))}s`;
}
