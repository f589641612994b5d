import type { RunState } from '@cohort/domain';

/**
 * A value of the heartbeats bucket, written by the agent-runtime every few
 * seconds while a run's agent is alive. Key = run id.
 */
export interface Heartbeat {
  readonly taskId: string;
  readonly runId: string;
  /** RFC 3339. */
  readonly at: string;
}

const decoder = new TextDecoder();

/** Undefined when the value is not a heartbeat of that run. */
export function parseHeartbeat(runId: string, bytes: Uint8Array): Heartbeat | undefined {
  try {
    const raw = JSON.parse(decoder.decode(bytes)) as Partial<Heartbeat> | null;
    if (raw === null || typeof raw !== 'object' || raw.runId !== runId || typeof raw.at !== 'string' || Number.isNaN(Date.parse(raw.at))) {
      return undefined;
    }
    return { taskId: typeof raw.taskId === 'string' ? raw.taskId : '', runId, at: raw.at };
  } catch {
    return undefined;
  }
}

/**
 * How long the run has been silent: since its last heartbeat, or since it
 * started when no heartbeat arrived yet (an agent-runtime killed before its
 * first beat must still time out). Undefined when the run is not running.
 */
export function heartbeatAgeMs(run: RunState | undefined, heartbeat: Heartbeat | undefined, now: number): number | undefined {
  if (run === undefined || run.status !== 'running') return undefined;
  const times = [heartbeat?.at, run.startedAt].filter((t): t is string => t !== undefined).map((t) => Date.parse(t));
  const last = Math.max(...times.filter((t) => !Number.isNaN(t)));
  return Number.isFinite(last) ? Math.max(0, now - last) : undefined;
}
