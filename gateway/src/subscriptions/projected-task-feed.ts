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
 */
export class ProjectedTaskFeed {
  private readonly listeners = new Set<(row: TaskRow) => void>();
  private readonly pending = new Set<string>();
  private readonly maxPending: number;
  private readonly retryMs: number;
  private subscription: Subscription | undefined;
  private draining = false;
  private droppedIds = 0;

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
    }
    return () => {
      this.listeners.delete(listener);
      if (this.listeners.size > 0) return;
      this.subscription?.unsubscribe();
      this.subscription = undefined;
      this.pending.clear();
    };
  }

  private onNotification(data: Uint8Array): void {
    const taskIds = taskIdsOf(data);
    if (!taskIds) {
      this.options.log.warn(`ignored a notification on ${this.options.topology.projected} that is not {"taskIds": [...]}`, 'Subscriptions');
      return;
    }
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

  private async drain(): Promise<void> {
    if (this.draining) return;
    this.draining = true;
    try {
      while (this.pending.size > 0 && this.listeners.size > 0) {
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

function taskIdsOf(data: Uint8Array): readonly string[] | undefined {
  try {
    const parsed = JSON.parse(new TextDecoder().decode(data)) as { taskIds?: unknown };
    const ids = parsed?.taskIds;
    return Array.isArray(ids) && ids.every((id) => typeof id === 'string') ? (ids as string[]) : undefined;
  } catch {
    return undefined;
  }
}
