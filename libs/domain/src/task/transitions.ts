/** Where a task is in its life. `completed` and `cancelled` are final. */
export type TaskStatus =
  'waiting' | 'queued' | 'provisioning' | 'running' | 'pr_opened' | 'needs_attention' | 'failed' | 'completed' | 'cancelled';

export const TASK_STATUSES: readonly TaskStatus[] = [
  'waiting',
  'queued',
  'provisioning',
  'running',
  'pr_opened',
  'needs_attention',
  'failed',
  'completed',
  'cancelled',
];

/**
 * Every status change a task may make. Staying in the same status is not a
 * transition and is always allowed.
 *
 * - provisioning → pr_opened and running → pr_opened: a resume run on an open PR ended.
 * - failed → provisioning: a user retried; failed → completed: the PR merged anyway.
 * - failed → cancelled: a user gave up on a failed task so it is not retried.
 * - failed → waiting: a user retried a task that failed because a dependency did
 *   not complete; it waits for its dependencies again.
 * - provisioning → completed: a run may report its end before its start was recorded.
 */
export const TRANSITIONS: Readonly<Record<TaskStatus, readonly TaskStatus[]>> = {
  waiting: ['queued', 'failed', 'cancelled'],
  queued: ['provisioning', 'needs_attention', 'failed', 'cancelled'],
  provisioning: ['running', 'pr_opened', 'needs_attention', 'failed', 'completed', 'cancelled'],
  running: ['provisioning', 'pr_opened', 'needs_attention', 'failed', 'completed', 'cancelled'],
  pr_opened: ['provisioning', 'needs_attention', 'failed', 'completed', 'cancelled'],
  needs_attention: ['provisioning', 'pr_opened', 'failed', 'completed', 'cancelled'],
  failed: ['waiting', 'provisioning', 'pr_opened', 'completed', 'cancelled'],
  completed: [],
  cancelled: [],
};

export const FINAL_STATUSES: readonly TaskStatus[] = ['completed', 'cancelled'];

/** A status change the transition table does not allow. */
export class IllegalTransition extends Error {
  override readonly name = 'IllegalTransition';
  constructor(
    readonly from: TaskStatus,
    readonly to: TaskStatus,
  ) {
    super(`a task cannot go from "${from}" to "${to}"; from "${from}" it may go to ${describe(TRANSITIONS[from])}`);
  }
}

function describe(targets: readonly TaskStatus[]): string {
  return targets.length === 0 ? 'nowhere (it is final)' : targets.map((t) => `"${t}"`).join(', ');
}

export function canTransition(from: TaskStatus, to: TaskStatus): boolean {
  return from === to || TRANSITIONS[from].includes(to);
}

/** Returns `to` when allowed; throws `IllegalTransition` naming both states otherwise. */
export function assertTransition(from: TaskStatus, to: TaskStatus): TaskStatus {
  if (!canTransition(from, to)) throw new IllegalTransition(from, to);
  return to;
}

export function isFinal(status: TaskStatus): boolean {
  return FINAL_STATUSES.includes(status);
}
