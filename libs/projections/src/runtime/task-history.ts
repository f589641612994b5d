import { DeliverPolicy, jetstream, jetstreamManager, type JetStreamManager } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/transport-node';
import type { Envelope, TaskEvent, Topology } from '@cohort/contracts';
import { MissingTaskCreated } from '@cohort/domain';
import { isUnknownEvent } from '../project/feed-item.js';
import { projectTaskEvent } from '../project/project-task-event.js';
import type { ProjectedTask } from '../project/projected-task.js';
import { decodeEvent } from './decode-event.js';

/** Tasks whose histories are read at once. */
const CONCURRENT_READS = 16;

/**
 * Folds tasks again from their own events in the log, for a batch that
 * continues tasks the cache no longer holds (after a restart, or once many
 * other tasks have come since). The log is the truth, so no folded state is
 * stored for this: every batch would otherwise write each task's whole state
 * again. Events are decoded and folded exactly as the feed's are, so the
 * result is the state the projector had.
 */
export class TaskHistory {
  private manager: Promise<JetStreamManager> | undefined;

  constructor(
    private readonly nc: NatsConnection,
    private readonly topology: Topology,
  ) {}

  /** Each task as folded from its events at or below `upTo`; tasks with none there are left out. */
  async load(ids: readonly string[], upTo: number): Promise<Map<string, ProjectedTask>> {
    const tasks = new Map<string, ProjectedTask>();
    const queue = [...ids];
    const reader = async () => {
      for (let id = queue.shift(); id !== undefined; id = queue.shift()) {
        const task = await this.fold(id, upTo);
        if (task !== undefined) tasks.set(id, task);
      }
    };
    await Promise.all(Array.from({ length: Math.min(CONCURRENT_READS, queue.length) }, reader));
    return tasks;
  }

  private async fold(id: string, upTo: number): Promise<ProjectedTask | undefined> {
    const stream = this.topology.streams.events;
    const subject = this.topology.event('task', id);
    // Its last event says where to stop: a consumer on a subject with nothing (more) on it would wait forever.
    this.manager ??= jetstreamManager(this.nc);
    this.manager.catch(() => (this.manager = undefined));
    const last = await (await this.manager).streams.getMessage(stream, { last_by_subj: subject });
    if (!last) return undefined;
    const end = Math.min(last.seq, upTo);
    const consumer = await jetstream(this.nc).consumers.get(stream, { filter_subjects: subject, deliver_policy: DeliverPolicy.All });
    const messages = await consumer.consume({ max_messages: 1_000 });
    let task: ProjectedTask | undefined;
    try {
      for await (const m of messages) {
        if (m.seq > end) break;
        const event = decodeEvent(m.data, () => m.subject);
        // As the feed does: what cannot be decoded, or is another aggregate's, is not folded into the task.
        if (!isUnknownEvent(event) && event.aggregateType === 'task' && event.aggregateId === id) {
          try {
            task = projectTaskEvent(task, event as Envelope<TaskEvent>, m.seq).next;
          } catch (error) {
            if (!(error instanceof MissingTaskCreated)) throw error;
          }
        }
        if (m.seq === end) break;
      }
    } finally {
      void messages.close();
      consumer.delete().catch(() => undefined);
    }
    return task;
  }
}
