import { ErrorCategory, ErrorInfoSchema, create } from '@cohort/contracts';
import type { Action } from './actions.js';
import type { TaskState } from './task-state.js';

/**
 * Where a task this one depends on stands, as far as the dependent is concerned:
 * `pending` may still complete; `cancelled` never will; `failed` will not unless a
 * person retries it.
 */
export type DependencyOutcome = 'pending' | 'completed' | 'cancelled' | 'failed';

export interface DependencyState {
  readonly outcome: DependencyOutcome;
  /** Why it failed, when it did; empty otherwise. */
  readonly detail: string;
}

/** What a dependent needs to know of a dependency's folded state; undefined (not created yet) is pending. */
export function dependencyStateOf(dependency: TaskState | undefined): DependencyState {
  switch (dependency?.status) {
    case 'completed':
      return { outcome: 'completed', detail: '' };
    case 'cancelled':
      return { outcome: 'cancelled', detail: '' };
    case 'failed':
      // A failed task a person asked to retry is on its way again.
      return dependency.pendingRetry ? { outcome: 'pending', detail: '' } : { outcome: 'failed', detail: dependency.failureReason ?? '' };
    default:
      return { outcome: 'pending', detail: '' };
  }
}

/**
 * A waiting task starts once every dependency completed, and fails as soon as one
 * was cancelled or failed: it would otherwise wait forever. The failure names the
 * dependency; retrying the task puts it back to waiting (see evolve).
 */
export function reconcileDependencies(
  state: TaskState,
  dependencies: Readonly<Record<string, DependencyState>>,
  completedTaskIds: Iterable<string>,
): readonly Action[] {
  for (const id of state.spec.dependsOn) {
    const dependency = dependencies[id];
    if (dependency?.outcome === 'cancelled' || dependency?.outcome === 'failed') return [failOn(state, id, dependency)];
  }
  const done = new Set(completedTaskIds);
  const met = state.spec.dependsOn.every((id) => done.has(id) || dependencies[id]?.outcome === 'completed');
  return met ? [{ type: 'ReleaseDependencies', id: `${state.id}:dependencies-met` }] : [];
}

function failOn(state: TaskState, dependencyId: string, dependency: DependencyState): Action {
  const cancelled = dependency.outcome === 'cancelled';
  const detail = cancelled
    ? `task ${dependencyId}, which this task depends on, was cancelled, so this task cannot start`
    : `task ${dependencyId}, which this task depends on, failed${dependency.detail ? ` (${dependency.detail})` : ''}, so this task cannot start`;
  const reason = cancelled ? 'dependency_cancelled' : 'dependency_failed';
  return {
    type: 'FailTask',
    // The version keeps a failure after a retry (back to waiting) from reusing the first failure's id.
    id: `${state.id}:fail:v${state.version}:${reason}`,
    reason,
    detail,
    error: create(ErrorInfoSchema, {
      category: ErrorCategory.STATE,
      retryable: false,
      title: cancelled ? 'A dependency was cancelled' : 'A dependency failed',
      message: detail,
      remedy: cancelled
        ? `Cancel this task, or retry it once the work of ${dependencyId} is done another way (a retry waits for its dependencies again).`
        : `Retry task ${dependencyId}, then retry this task: it waits for its dependencies again.`,
    }),
  };
}
