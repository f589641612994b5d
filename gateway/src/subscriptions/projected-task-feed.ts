import type { NatsConnection, Subscription } from '@nats-io/transport-node';
import type { Topology } from '@cohort/contracts';
import type { ReadModel, TaskRow } from '../read-model.js';
import type { SubscriptionLog } from './subscription-deps.js';

export interface ProjectedTaskFeedOptions {
  readonly nc: NatsConnection;
  readonly topology: Topology;
  readonly readModel: ReadModel;
  readonly log: SubscriptionLog;
  /** Changed tasks waiting to be loaded; more are dropped (with a warning) until the read model catches up. @default 10000 */
  readonly maxPendingTasks?: number;
  /** Wait before loading again after the read model failed. @default 1000 */
  readonly retryMs?: number;
}

/**
 * The tasks the projector has just written, for every `taskUpdated` client of
 * this gateway: one core-NATS subscription to `<ns>.projected` and one read of
 * each changed task however many clients listen. Runs only while someone listens.
 *
 * Notifications that arrive while a load is under way fold into one set of
 * task ids, so a slow Postgres costs memory per task, not per notification.
 *
 * Core NATS does not keep notifications for a connection that was away (or
 * too slow), so none are lost silently: each says the checkpoint it follows,
 * and after a gap, or a reconnect, the tasks changed since the last position
 * seen are read from the read model and pushed as well.
 */
export class ProjectedTaskFeed {
  private readonly listeners = new Set<(row: TaskRow) => void>();
  private readonly pending = new Set<string>();
  private readonly maxPending: number;
  private readonly retryMs: number;
  private subscription: Subscription | undefined;
  private draining = false;
  private droppedIds = 0;
  /** Position of the last notification taken in (or the checkpoint when listening began). */
  private seen: number | undefined;
  /** Set when notifications were missed: the position to read changed tasks after. */
  private missedAfter: number | undefined;
  private watchingStatus = false;

  constructor(private readonly options: ProjectedTaskFeedOptions) {
    this.maxPending = options.maxPendingTasks ?? 10_000;
    this.retryMs = options.retryMs ?? 1_000;
  }

  /** Calls `listener` with each changed task's new row until the returned function is called. */
  listen(listener: (row: TaskRow) => void): () => void {
    this.listeners.add(listener);
    if (!this.subscription) {
      this.subscription = this.options.nc.subscribe(this.options.topology.projected, {
        callback: (error, message) => {
          if (error) this.options.log.warn(`projected notifications failed: ${error.message}`, 'Subscriptions');
          else this.onNotification(message.data);
        },
      });
      // Where the projections are now: anything after it that goes unnotified is read back.
      this.options.readModel.checkpoint().then(
        (checkpoint) => (this.seen ??= checkpoint),
        () => undefined,
      );
      this.watchStatus();
    }
    return () => {
      this.listeners.delete(listener);
      if (this.listeners.size > 0) return;
      this.subscription?.unsubscribe();
      this.subscription = undefined;
      this.pending.clear();
      this.seen = undefined;
      this.missedAfter = undefined;
    };
  }

  /** Notifications published while the connection was away are gone: after a reconnect, read what changed. */
  private watchStatus(): void {
    if (this.watchingStatus) return;
    this.watchingStatus = true;
    void (async () => {
      for await (const status of this.options.nc.status()) {
        if (status.type === 'reconnect' && this.subscription && this.seen !== undefined) this.missed(this.seen);
      }
    })().catch(() => undefined);
  }

  private missed(after: number): void {
    this.missedAfter = Math.min(this.missedAfter ?? after, after);
    void this.drain();
  }

  private onNotification(data: Uint8Array): void {
    const notification = notificationOf(data);
    if (!notification) {
      this.options.log.warn(`ignored a notification on ${this.options.topology.projected} that is not {"taskIds": [...]}`, 'Subscriptions');
      return;
    }
    const { taskIds, from, position } = notification;
    if (from !== undefined && this.seen !== undefined && from > this.seen) this.missed(this.seen);
    if (position !== undefined) this.seen = Math.max(this.seen ?? 0, position);
    for (const id of taskIds) {
      if (this.pending.size >= this.maxPending && !this.pending.has(id)) {
        if (this.droppedIds++ % 1_000 === 0) {
          this.options.log.warn(
            `more than ${this.maxPending} changed tasks wait for the read model; taskUpdated skips some (${this.droppedIds} so far)`,
            'Subscriptions',
          );
        }
        continue;
      }
      this.pending.add(id);
    }
    void this.drain();
  }

  /** Pushes the tasks changed after `after`, a page at a time; on failure, tries again after a while. */
  private async readMissed(after: number): Promise<void> {
    let rows: readonly TaskRow[];
    try {
      rows = await this.options.readModel.tasksChangedAfter(after, this.maxPending);
    } catch (error) {
      this.options.log.warn(
        `taskUpdated could not read the tasks changed after position ${after}, retrying in ${this.retryMs} ms: ${(error as Error).message}`,
        'Subscriptions',
      );
      await new Promise((resolve) => setTimeout(resolve, this.retryMs));
      return;
    }
    for (const row of rows) for (const listener of this.listeners) listener(row);
    // A full page may have more behind it. A gap found meanwhile can only lower the position (see missed): then
    // read again from there, which covers this page too.
    const next = rows.length === this.maxPending ? rows.at(-1)!.position : undefined;
    if (this.missedAfter === after) this.missedAfter = next;
  }

  private async drain(): Promise<void> {
    if (this.draining) return;
    this.draining = true;
    try {
      while ((this.pending.size > 0 || this.missedAfter !== undefined) && this.listeners.size > 0) {
        if (this.missedAfter !== undefined) {
          await this.readMissed(this.missedAfter);
          continue;
        }
        const ids = [...this.pending];
        this.pending.clear();
        let rows: (TaskRow | undefined)[];
        try {
          rows = await Promise.all(ids.map((id) => this.options.readModel.task(id)));
        } catch (error) {
          this.options.log.warn(
            `taskUpdated could not load ${ids.length} changed task(s), retrying in ${this.retryMs} ms: ${(error as Error).message}`,
            'Subscriptions',
          );
          for (const id of ids) if (this.pending.size < this.maxPending) this.pending.add(id);
          await new Promise((resolve) => setTimeout(resolve, this.retryMs));
          continue;
        }
        for (const row of rows) {
          if (!row) continue;
          for (const listener of this.listeners) listener(row);
        }
      }
    } finally {
      this.draining = false;
    }
  }
}

interface Notification {
  readonly taskIds: readonly string[];
  readonly from: number | undefined;
  readonly position: number | undefined;
}

function notificationOf(data: Uint8Array): Notification | undefined {
  try {
    const parsed = JSON.parse(new TextDecoder().decode(data)) as { taskIds?: unknown; from?: unknown; position?: unknown };
    const ids = parsed?.taskIds;
    if (!Array.isArray(ids) || !ids.every((id) => typeof id === 'string')) return undefined;
    return { taskIds: ids as string[], from: positionOf(parsed.from), position: positionOf(parsed.position) };
  } catch {
    return undefined;
  }
}

function positionOf(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0 ? value : undefined;
}
