import type { Policy } from '../policy.js';
import type { RunState } from './task-state.js';

/**
 * Why a run that has not ended must be given up on now, or undefined while it
 * may go on. Pure: the clock and the heartbeat age come in as arguments. A run
 * whose times are unknown (folded without metadata) is never overdue by them.
 */
export function overdueReason(run: RunState, nowMs: number, heartbeatAgeMs: number | undefined, policy: Policy): string | undefined {
  if (run.status === 'scheduled' || run.status === 'provisioning') return stuckReason(run, nowMs, policy);
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

/**
 * Scheduled: counted from when it could start (a retry waits for its `notBefore`).
 * Provisioning: counted from its WorkspaceReady, so a slow workspace does not eat
 * the time the agent has to start.
 */
function stuckReason(run: RunState, nowMs: number, policy: Policy): string | undefined {
  const limit = seconds(policy.provisioningTimeoutMs);
  if (run.status === 'scheduled') {
    const waitingMs = minElapsed(elapsedSince(run.scheduledAt, nowMs), elapsedSince(run.notBefore, nowMs));
    if (waitingMs === undefined || waitingMs <= policy.provisioningTimeoutMs) return undefined;
    return `stuck in scheduled: no workspace was ready ${seconds(waitingMs)} after the run could start (provisioning timeout ${limit})`;
  }
  const readyMs = elapsedSince(run.workspaceReadyAt, nowMs) ?? elapsedSince(run.scheduledAt, nowMs);
  if (readyMs === undefined || readyMs <= policy.provisioningTimeoutMs) return undefined;
  return `stuck in provisioning: the workspace was ready but the agent had not started ${seconds(readyMs)} later (provisioning timeout ${limit})`;
}

/** The shorter of two elapsed times, either of which may be unknown. */
function minElapsed(a: number | undefined, b: number | undefined): number | undefined {
  if (a === undefined) return b;
  return b === undefined ? a : Math.min(a, b);
}

function elapsedSince(at: string | undefined, nowMs: number): number | undefined {
  if (at === undefined || at === '') return undefined;
  const from = Date.parse(at);
  return Number.isNaN(from) ? undefined : nowMs - from;
}

function seconds(ms: number): string {
  return `${Number((ms / 1000).toFixed(1))}s`;
}
