import { Inject, Injectable, Logger } from '@nestjs/common';
import { TaskSourceKind, TicketClosedSchema, create, type TaskSource } from '@cohort/contracts';
import { fold } from '@cohort/domain';
import { WrongExpectedVersion, type EventStore } from '@cohort/eventstore';
import { eventTrace } from '@cohort/messaging';
import { deterministicId, taskEvents } from '../event-metadata.js';
import { EVENT_STORE } from '../tokens.js';

const MAX_ATTEMPTS = 5;

/** Sources that are not tickets: a cron run or a webhook has nothing to close. */
const NOT_TICKETS: ReadonlySet<TaskSourceKind> = new Set([TaskSourceKind.CRON, TaskSourceKind.WEBHOOK, TaskSourceKind.EVENT]);

/**
 * Closes the originating ticket of a completed task, once. For manual and
 * local tasks there is no outside system: the closing is recorded as the event.
 */
@Injectable()
export class TicketCloser {
  private readonly log = new Logger('TicketCloser');

  constructor(@Inject(EVENT_STORE) private readonly store: EventStore) {}

  async onTaskCompleted(taskId: string): Promise<void> {
    const aggregate = { type: 'task', id: taskId } as const;
    for (let attempt = 1; ; attempt++) {
      const { events, version } = await this.store.read(aggregate);
      const state = fold(taskEvents(events));
      if (!state || state.status !== 'completed' || state.ticketClosed) return;
      const source = state.spec.source;
      if (source && NOT_TICKETS.has(source.kind)) return;
      try {
        await this.store.append(
          aggregate,
          [
            {
              type: 'TicketClosed',
              // The same id on every attempt: a redelivered TaskCompleted cannot close twice.
              id: deterministicId('TicketClosed', taskId),
              ...eventTrace(),
              data: create(TicketClosedSchema, { ...(source ? { source } : {}), comment: closingComment(source) }),
            },
          ],
          { expectedVersion: version },
        );
        this.log.log(`closed the ticket of task ${taskId}`);
        return;
      } catch (error) {
        if (!(error instanceof WrongExpectedVersion) || attempt >= MAX_ATTEMPTS) throw error;
      }
    }
  }
}

function closingComment(source: TaskSource | undefined): string {
  if (!source || source.kind === TaskSourceKind.UNSPECIFIED || source.kind === TaskSourceKind.MANUAL) {
    return 'Task completed. It was created by hand, so there is no external ticket; the closing is recorded here.';
  }
  return `Task completed; closing ${source.externalId || 'the ticket'}${source.url ? ` (${source.url})` : ''}.`;
}
