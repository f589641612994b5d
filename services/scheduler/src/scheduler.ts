import type { Envelope } from '@cohort/contracts';
import { compareActiveTasks } from './active-task.js';
import type { ActiveTaskIndex } from './active-task-index.js';
import { freeSlots } from './capacity.js';
import { withTimeout } from './with-timeout.js';
import type { RepoLimits } from './repo-limits.js';
import type { ReconcileOutcome, TaskReconciler } from './task-reconciler.js';

export interface SchedulerOptions {
  readonly reconciler: TaskReconciler;
  readonly index: ActiveTaskIndex;
  readonly repoLimits: RepoLimits;
  readonly maxConcurrentRuns: number;
  readonly resyncMs: number;
  /** Bound of one step of the resync, so that a call that never returns does not stop the resyncs. */
  readonly passTimeoutMs: number;
  readonly log: { log(message: string): void; warn(message: string): void; error(message: string): void };
}

const MAX_FILL_PASSES = 5;

/**
 * When to reconcile what: the task of every event, the tasks waiting for a slot
 * whenever one may have been freed, and every active task on each resync.
 */
export class Scheduler {
  private timer: NodeJS.Timeout | undefined;
  private resyncing: Promise<void> | undefined;
  private filling: Promise<void> | undefined;
  private fillAgain = false;
  private stopped = false;

  constructor(private readonly options: SchedulerOptions) {}

  /** Resyncs at once (this replica may have been down), then every `resyncMs`. */
  start(): void {
    this.stopped = false;
    this.scheduleResync(0);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await Promise.allSettled([this.resyncing, this.filling]);
  }

  /** An event arrived: reconcile its task. Throws on infrastructure trouble so the message is retried. */
  async onEvent(event: Envelope): Promise<ReconcileOutcome | undefined> {
    if (event.aggregateType === 'repo') {
      this.options.repoLimits.forget(event.aggregateId);
      this.requestFill();
      return undefined;
    }
    if (event.aggregateType !== 'task') return undefined;
    const outcome = await this.options.reconciler.reconcileTask(event.aggregateId);
    if (this.mayHaveFreedSlot(event.aggregateId)) this.requestFill();
    const ended = outcome.state !== undefined && (outcome.result === 'final' || outcome.state.status === 'failed');
    if (ended) await this.wakeDependents(outcome.state!.id, outcome.state!.spec.parentTaskId);
    return outcome;
  }

  /**
   * A task ended (completed, cancelled or failed): the tasks waiting for it
   * (dependsOn), which start or fail with it, and its parent (waiting for its
   * subtasks before merging) are reconciled now rather than at the next resync,
   * since no event of their own will arrive.
   */
  private async wakeDependents(taskId: string, parentTaskId: string): Promise<void> {
    const ids = this.options.index
      .all()
      .filter((t) => (t.status === 'waiting' && t.dependsOn.includes(taskId)) || t.taskId === parentTaskId)
      .map((t) => t.taskId)
      .filter((id) => id !== taskId);
    for (const id of ids) {
      try {
        await this.options.reconciler.reconcileTask(id);
      } catch (error) {
        this.options.log.warn(`task ${id} after ${taskId} ended: ${(error as Error).message}; the resync will retry`);
      }
    }
  }

  /** One pass over every active task, highest priority and oldest first, so they take free slots in that order. */
  async resync(): Promise<void> {
    const ids = await withTimeout(this.options.index.ids(), this.options.passTimeoutMs, 'listing the active tasks');
    const known = new Map(this.options.index.all().map((t) => [t.taskId, t]));
    const ordered = [...ids].sort((a, b) => {
      const ta = known.get(a);
      const tb = known.get(b);
      if (ta && tb) return compareActiveTasks(ta, tb);
      return ta ? -1 : tb ? 1 : a < b ? -1 : a > b ? 1 : 0;
    });
    let failures = 0;
    for (const id of ordered) {
      if (this.stopped) return;
      try {
        await this.options.reconciler.reconcileTask(id);
      } catch (error) {
        failures += 1;
        this.options.log.warn(`resync of task ${id} failed: ${(error as Error).message}`);
      }
    }
    if (failures > 0) this.options.log.warn(`resync: ${failures} of ${ordered.length} task(s) failed; retrying on the next resync`);
  }

  /** Tasks waiting only for a slot, tried in scheduling order while slots are free. */
  private async fill(): Promise<void> {
    const waiting = this.options.index
      .all()
      .filter((t) => t.awaitingCapacity && t.activeRunId === '')
      .sort(compareActiveTasks);
    const limits = await this.options.repoLimits.limitsOf(waiting.map((t) => t.repoId));
    for (const task of waiting) {
      if (this.stopped) return;
      const free = freeSlots(this.options.index.all(), this.options.maxConcurrentRuns, limits);
      if (free.globalFree <= 0) return;
      if (task.repoId !== '' && free.perRepoFree[task.repoId] === 0) continue;
      await this.options.reconciler.reconcileTask(task.taskId);
    }
  }

  /** Soon tries the tasks waiting for a slot, in scheduling order; calls made meanwhile coalesce. */
  requestFill(): void {
    if (this.stopped) return;
    if (this.filling) {
      this.fillAgain = true;
      return;
    }
    this.filling = (async () => {
      // Bounded: a task that keeps deferring to a stale entry must not spin; the resync repairs the entry.
      let passes = 0;
      do {
        passes += 1;
        this.fillAgain = false;
        try {
          await this.fill();
        } catch (error) {
          this.options.log.warn(`filling free run slots failed: ${(error as Error).message}; the resync will retry`);
        }
      } while (this.fillAgain && !this.stopped && passes < MAX_FILL_PASSES);
    })().finally(() => (this.filling = undefined));
  }

  private mayHaveFreedSlot(taskId: string): boolean {
    const task = this.options.index.get(taskId);
    return task === undefined || task.activeRunId === '';
  }

  private scheduleResync(delayMs: number): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      this.resyncing = this.resync()
        .catch((error: unknown) => this.options.log.warn(`resync failed: ${(error as Error).message}`))
        .finally(() => {
          this.resyncing = undefined;
          this.scheduleResync(this.options.resyncMs);
        });
    }, delayMs);
    this.timer.unref?.();
  }
}
