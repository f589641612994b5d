import type { Capacity } from '@cohort/domain';
import type { ActiveTask } from './active-task.js';

/**
 * Free run slots as seen by one task: the limits minus the runs other tasks
 * hold. The task's own entry is left out because its folded state is fresher
 * than its summary (a run that just finished must not block its own retry).
 */
export function capacityFor(
  taskId: string,
  tasks: Iterable<ActiveTask>,
  globalLimit: number,
  repoLimits: ReadonlyMap<string, number>,
): Capacity {
  let used = 0;
  const usedPerRepo = new Map<string, number>();
  for (const task of tasks) {
    if (task.taskId === taskId || task.activeRunId === '') continue;
    used += 1;
    if (task.repoId !== '') usedPerRepo.set(task.repoId, (usedPerRepo.get(task.repoId) ?? 0) + 1);
  }
  const perRepoFree: Record<string, number> = {};
  for (const [repoId, limit] of repoLimits) perRepoFree[repoId] = Math.max(0, limit - (usedPerRepo.get(repoId) ?? 0));
  return { globalFree: Math.max(0, globalLimit - used), perRepoFree };
}

/** Same, without looking at any one task: for choosing which waiting tasks to try. */
export function freeSlots(tasks: Iterable<ActiveTask>, globalLimit: number, repoLimits: ReadonlyMap<string, number>): Capacity {
  return capacityFor('', tasks, globalLimit, repoLimits);
}
