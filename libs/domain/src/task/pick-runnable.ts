import { TaskKind } from '@cohort/contracts';
import type { Capacity } from './reconcile.js';
import type { TaskState } from './task-state.js';

/**
 * Scheduling order: higher priority first, then first created first (FIFO
 * within a priority), then task id so that equal inputs always give one order.
 */
export function compareForScheduling(a: TaskState, b: TaskState): number {
  if (a.priority !== b.priority) return b.priority - a.priority;
  const at = a.createdAt ?? '';
  const bt = b.createdAt ?? '';
  if (at !== bt) return at < bt ? -1 : 1;
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}

/**
 * Which of the candidate tasks get a run slot now, in order, respecting the
 * global and per-repo free slots. The scheduler reconciles the admitted tasks
 * with the capacity that remains for each.
 */
export function pickRunnable(candidates: readonly TaskState[], capacity: Capacity): readonly TaskState[] {
  let global = capacity.globalFree;
  const perRepo: Record<string, number> = { ...capacity.perRepoFree };
  const admitted: TaskState[] = [];
  for (const task of [...candidates].sort(compareForScheduling)) {
    if (global <= 0) break;
    const repo = task.kind === TaskKind.REPO ? task.spec.repoId : undefined;
    const repoFree = repo === undefined ? undefined : perRepo[repo];
    if (repoFree !== undefined && repoFree <= 0) continue;
    admitted.push(task);
    global -= 1;
    if (repo !== undefined && repoFree !== undefined) perRepo[repo] = repoFree - 1;
  }
  return admitted;
}
