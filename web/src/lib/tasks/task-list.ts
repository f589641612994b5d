import type { TaskSummary } from '../graphql/types.js';
import { matchesFilters, type TaskListFilters } from './filters.js';

/**
 * Applies a live `taskUpdated` to the list shown: replaces the task where it is,
 * drops it when it no longer matches, and puts a new matching task on top (the
 * list is newest first). Older versions never overwrite newer ones.
 */
export function applyTaskUpdate(list: readonly TaskSummary[], task: TaskSummary, filters: TaskListFilters): TaskSummary[] {
  const at = list.findIndex((t) => t.id === task.id);
  const matches = matchesFilters(task, filters);
  if (at >= 0) {
    if (list[at]!.version > task.version) return [...list];
    if (!matches) return list.filter((_, i) => i !== at);
    const next = [...list];
    next[at] = task;
    return next;
  }
  return matches ? [task, ...list] : [...list];
}
