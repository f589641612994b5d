import type { Envelope, NewEvent, TaskEvent } from '@cohort/contracts';
import {
  actionToEvents,
  currentRun,
  dependencyStateOf,
  fold,
  isFinal,
  reconcile,
  type Action,
  type DependencyState,
  type Policy,
  type TaskState,
  type World,
} from '@cohort/domain';
import { WrongExpectedVersion, type EventStore } from '@cohort/eventstore';
import { childTraceparent, currentMessageContext } from '@cohort/messaging';
import type { KV } from '@nats-io/kv';
import { compareActiveTasks, summarize } from './active-task.js';
import type { ActiveTaskIndex } from './active-task-index.js';
import { capacityFor, freeSlots } from './capacity.js';
import { heartbeatAgeMs, parseHeartbeat } from './heartbeat.js';
import { Mutex } from './mutex.js';
import { withTimeout } from './with-timeout.js';
import type { RepoLimits } from './repo-limits.js';

export interface TaskReconcilerOptions {
  readonly store: EventStore;
  readonly index: ActiveTaskIndex;
  readonly heartbeats: KV;
  readonly repoLimits: RepoLimits;
  readonly maxConcurrentRuns: number;
  readonly policy: Policy;
  /** Seed of retry jitter; the same on every replica so they compute the same delays. */
  readonly seed: string;
  /** @default Date.now */
  readonly clock?: () => number;
  readonly log?: { warn(message: string): void; debug?(message: string): void };
  /** @default 30_000 */
  readonly passTimeoutMs?: number;
  /** Called when a task left a free slot to tasks before it, so that they are reconciled soon. */
  onSlotDeferred?: () => void;
}

/** What one reconcile pass did, for logs and tests. */
export interface ReconcileOutcome {
  readonly taskId: string;
  /** Types of the events this pass appended, in order. */
  readonly appended: readonly string[];
  /** Appends that lost a compare-and-swap race and were decided again. */
  readonly conflicts: number;
  /** 'missing': no events; 'final': completed or cancelled; 'settled': nothing more to do now. */
  readonly result: 'missing' | 'final' | 'settled' | 'gave_up';
  /** The task as last read (final or settled). */
  readonly state?: TaskState;
}

/**
 * Types of the events appended (empty when they were already stored: a
 * retried append that deduplicated), 'conflict' when another writer got
 * there first, 'noop' when the state already holds the action's effect.
 */
type Applied = readonly string[] | 'conflict' | 'noop';

/** Actions applied in one pass before the task is left to its next event or the resync. */
const MAX_STEPS = 25;
const UNLIMITED = { globalFree: Number.MAX_SAFE_INTEGER, perRepoFree: {} };

/**
 * Brings one task up to date: read its events, fold, reconcile against the
 * world, append what the reconciler asks for with the version read as the
 * expected version, and again until nothing is left to do. A lost race
 * (WrongExpectedVersion) means someone else appended: read again and decide
 * again. Action ids are the event ids, so a re-applied action dedupes.
 */
export class TaskReconciler {
  private readonly clock: () => number;
  // Deciding to take a run slot and recording it in the index happen under this
  // lock, so that two tasks handled at once by this replica do not both take the last slot.
  private readonly slots = new Mutex();

  constructor(private readonly options: TaskReconcilerOptions) {
    this.clock = options.clock ?? Date.now;
  }

  /**
   * Throws on infrastructure trouble (the caller retries) and when the pass
   * takes longer than `passTimeoutMs`: a read that never returns must not hold
   * the resync or the task's message forever.
   */
  async reconcileTask(taskId: string): Promise<ReconcileOutcome> {
    return withTimeout(this.pass(taskId), this.options.passTimeoutMs ?? 30_000, `reconciling task ${taskId}`);
  }

  private async pass(taskId: string): Promise<ReconcileOutcome> {
    const appended: string[] = [];
    let conflicts = 0;
    for (let step = 0; step < MAX_STEPS; step++) {
      const { events, version } = await this.options.store.read({ type: 'task', id: taskId });
      const state = fold(events.filter(isTaskEvent));
      if (state === undefined) return { taskId, appended, conflicts, result: 'missing' };
      if (isFinal(state.status)) {
        await this.options.index.remove(taskId);
        return { taskId, appended, conflicts, result: 'final', state };
      }
      const world = await this.world(state);
      const [wanted] = reconcile(state, world);
      if (wanted === undefined) {
        await this.record(state, world);
        return { taskId, appended, conflicts, result: 'settled', state };
      }
      const outcome =
        wanted.type === 'ScheduleRun'
          ? await this.slots.run(() => this.takeSlot(state, world, version, events))
          : await this.apply(wanted, state, version, events);
      if (outcome === 'conflict') {
        conflicts += 1;
      } else if (outcome === 'deferred') {
        return { taskId, appended, conflicts, result: 'settled', state };
      } else if (outcome === 'noop') {
        // The action's effect is already in the state: nothing to append, nothing to wait for.
        await this.record(state, world);
        return { taskId, appended, conflicts, result: 'settled', state };
      } else {
        appended.push(...outcome);
      }
    }
    this.options.log?.warn(`task ${taskId}: still had work after ${MAX_STEPS} steps (${conflicts} conflicts); the resync will go on`);
    return { taskId, appended, conflicts, result: 'gave_up' };
  }

  /** Re-decides with the slots counted now, inside the lock, and records the new run before letting go. */
  private async takeSlot(state: TaskState, world: World, version: number, history: readonly Envelope[]): Promise<Applied | 'deferred'> {
    const fresh: World = { ...world, capacity: await this.capacity(state) };
    const [action] = reconcile(state, fresh);
    if (action === undefined) {
      await this.record(state, fresh);
      return 'deferred';
    }
    if (action.type === 'ScheduleRun' && (await this.queuedAhead(state)) >= fresh.capacity.globalFree) {
      // Tasks before this one in scheduling order want the free slots: they get them first.
      await this.options.index.put(summarize(state, true));
      this.options.onSlotDeferred?.();
      return 'deferred';
    }
    const result = await this.apply(action, state, version, history);
    if (Array.isArray(result) && result.length > 0) {
      // Counted at once by this replica's next decision, before the watch brings it back.
      const events = actionToEvents(action, state) as readonly TaskEvent[];
      const next = fold(events, state);
      if (next !== undefined && !isFinal(next.status)) await this.options.index.put(summarize(next, false));
    }
    return result;
  }

  /** Tasks waiting for a slot that come before this one (priority, then age) and could use one now. */
  private async queuedAhead(state: TaskState): Promise<number> {
    const me = summarize(state, true);
    const ahead = this.options.index
      .all()
      .filter((t) => t.taskId !== state.id && t.awaitingCapacity && t.activeRunId === '' && compareActiveTasks(t, me) < 0);
    if (ahead.length === 0) return 0;
    const limits = await this.options.repoLimits.limitsOf(ahead.map((t) => t.repoId));
    const free = freeSlots(this.options.index.all(), this.options.maxConcurrentRuns, limits);
    return ahead.filter((t) => t.repoId === '' || free.perRepoFree[t.repoId] !== 0).length;
  }

  private async apply(action: Action, state: TaskState, version: number, history: readonly Envelope[]): Promise<Applied> {
    const events = actionToEvents(action, state, this.clock());
    if (events.length === 0) return 'noop';
    const cause = causeOf(history);
    const stamped: NewEvent[] = events.map((event, i) => ({
      ...event,
      id: i === 0 ? action.id : `${action.id}:${i}`,
      correlationId: cause.correlationId,
      causationId: cause.causationId,
      traceparent: cause.traceparent,
    }));
    try {
      const result = await this.options.store.append({ type: 'task', id: state.id }, stamped, { expectedVersion: version });
      return result.duplicate ? [] : stamped.map((e) => e.type);
    } catch (error) {
      if (error instanceof WrongExpectedVersion) return 'conflict';
      throw error;
    }
  }

  /** Keeps the task's entry in the active set current; `awaitingCapacity` when only a slot is missing. */
  private async record(state: TaskState, world: World): Promise<void> {
    const [unblocked] = reconcile(state, { ...world, capacity: UNLIMITED });
    await this.options.index.put(summarize(state, unblocked?.type === 'ScheduleRun'));
  }

  private async world(state: TaskState): Promise<World> {
    const now = this.clock();
    return {
      now,
      capacity: await this.capacity(state),
      heartbeatAgeMs: await this.heartbeatAge(state, now),
      seed: this.options.seed,
      dependencies: await this.dependencies(state),
      openSubtaskIds: this.options.index
        .all()
        .filter((t) => t.parentTaskId === state.id)
        .map((t) => t.taskId),
      policy: this.options.policy,
    };
  }

  private async capacity(state: TaskState) {
    const repoIds = state.spec.repoId === '' ? [] : [state.spec.repoId];
    const limits = await this.options.repoLimits.limitsOf(repoIds);
    return capacityFor(state.id, this.options.index.all(), this.options.maxConcurrentRuns, limits);
  }

  private async heartbeatAge(state: TaskState, now: number): Promise<number | undefined> {
    const run = currentRun(state);
    if (run?.status !== 'running') return undefined;
    const entry = await this.options.heartbeats.get(run.id);
    const beat = entry?.operation === 'PUT' ? parseHeartbeat(run.id, entry.value) : undefined;
    return heartbeatAgeMs(run, beat, now);
  }

  /** Where each task this waiting one depends on stands: completed, pending, or a dead end (cancelled, failed). */
  private async dependencies(state: TaskState): Promise<Record<string, DependencyState>> {
    if (state.status !== 'waiting') return {};
    const found: Record<string, DependencyState> = {};
    for (const id of state.spec.dependsOn) {
      found[id] = dependencyStateOf(fold((await this.options.store.read({ type: 'task', id })).events.filter(isTaskEvent)));
    }
    return found;
  }
}

function isTaskEvent(event: Envelope): event is Envelope<TaskEvent> {
  return event.aggregateType === 'task';
}

/** Undefined fields are filled in by the store (an event nobody caused starts its own conversation). */
interface Cause {
  readonly correlationId: string | undefined;
  readonly causationId: string | undefined;
  readonly traceparent: string | undefined;
}

/**
 * The message being handled caused this append; on a resync, where no message
 * is being handled, the task's last event did.
 */
function causeOf(history: readonly Envelope[]): Cause {
  const message = currentMessageContext();
  const last = history.at(-1);
  const parent = message?.traceparent || last?.traceparent || '';
  return {
    correlationId: message?.correlationId || last?.correlationId || undefined,
    causationId: message?.messageId || last?.id || undefined,
    traceparent: parent === '' ? undefined : childTraceparent(parent),
  };
}
