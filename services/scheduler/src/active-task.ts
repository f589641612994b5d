import { TaskKind } from '@cohort/contracts';
import { currentRun, isFinal, type TaskState } from '@cohort/domain';

/**
 * What the activeTasks bucket holds for one non-terminal task (key = task id):
 * enough to count the run slots in use and to order the tasks waiting for one
 * without reading every task's events.
 */
export interface ActiveTask {
  readonly taskId: string;
  /** Aggregate version this summary was made from; an older summary never replaces a newer one. */
  readonly version: number;
  readonly status: string;
  /** Empty for standalone tasks. */
  readonly repoId: string;
  readonly parentTaskId: string;
  /** Tasks that must complete before this one starts. */
  readonly dependsOn: readonly string[];
  readonly priority: number;
  readonly createdAt: string;
  /** The run holding a slot (scheduled, provisioning or running); empty when none. */
  readonly activeRunId: string;
  /** The reconciler would schedule a run now if a slot were free. */
  readonly awaitingCapacity: boolean;
}

export function summarize(state: TaskState, awaitingCapacity: boolean): ActiveTask {
  const run = currentRun(state);
  return {
    taskId: state.id,
    version: state.version,
    status: state.status,
    repoId: state.kind === TaskKind.REPO ? state.spec.repoId : '',
    parentTaskId: state.spec.parentTaskId,
    dependsOn: [...state.spec.dependsOn],
    priority: state.priority,
    createdAt: state.createdAt ?? '',
    activeRunId: run !== undefined && run.status !== 'finished' ? run.id : '',
    awaitingCapacity,
  };
}

export function isActive(state: TaskState): boolean {
  return !isFinal(state.status);
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();

export function encodeActiveTask(task: ActiveTask): Uint8Array {
  return encoder.encode(JSON.stringify(task));
}

/** Undefined for a value this version cannot read; the next reconcile of the task rewrites it. */
export function decodeActiveTask(key: string, bytes: Uint8Array): ActiveTask | undefined {
  try {
    const raw = JSON.parse(decoder.decode(bytes)) as Partial<ActiveTask> | null;
    if (raw === null || typeof raw !== 'object' || raw.taskId !== key || typeof raw.version !== 'number') return undefined;
    return {
      taskId: raw.taskId,
      version: raw.version,
      status: typeof raw.status === 'string' ? raw.status : '',
      repoId: typeof raw.repoId === 'string' ? raw.repoId : '',
      parentTaskId: typeof raw.parentTaskId === 'string' ? raw.parentTaskId : '',
      dependsOn: Array.isArray(raw.dependsOn) ? raw.dependsOn.filter((d): d is string => typeof d === 'string') : [],
      priority: typeof raw.priority === 'number' ? raw.priority : 0,
      createdAt: typeof raw.createdAt === 'string' ? raw.createdAt : '',
      activeRunId: typeof raw.activeRunId === 'string' ? raw.activeRunId : '',
      awaitingCapacity: raw.awaitingCapacity === true,
    };
  } catch {
    return undefined;
  }
}

/** Same order as the domain's compareForScheduling: priority, then first created, then id. */
export function compareActiveTasks(a: ActiveTask, b: ActiveTask): number {
  if (a.priority !== b.priority) return b.priority - a.priority;
  if (a.createdAt !== b.createdAt) return a.createdAt < b.createdAt ? -1 : 1;
  return a.taskId < b.taskId ? -1 : a.taskId > b.taskId ? 1 : 0;
}
