import { timelineEntryOf } from '@cohort/projections';
import type { StoredEvent } from '@cohort/eventstore';
import { streamUnavailable, type SubscriptionDependencies, type SubscriptionLog } from './subscription-deps.js';
import { resolvePayload, subscriptionIterator } from './subscription-iterator.js';
import { assertTaskExists, intArgument } from './task-runs.js';

export interface TaskEventsArgs {
  readonly taskId: string;
  readonly fromVersion?: number | null;
}

/**
 * `Subscription.taskEvents`: the task's stored events after `fromVersion`, then
 * new ones as they are appended, as timeline entries. Read from the event log,
 * so it works while Postgres is down.
 */
export function taskEventsField(deps: SubscriptionDependencies, log: SubscriptionLog) {
  return {
    subscribe: async (_root: unknown, args: TaskEventsArgs) => {
      const fromVersion = intArgument(args.fromVersion, 0, 2 ** 31 - 1, 'fromVersion');
      await assertTaskExists(deps.events, args.taskId);
      // One in-order consumer on the task's subject from its first event: history
      // and live events come from the same delivery, so none falls in between.
      const subscription = deps.events.subscribe({ fromPosition: 0, filter: { aggregateType: 'task', aggregateId: args.taskId } });
      return subscriptionIterator(subscription, ({ envelope, position }: StoredEvent) =>
        envelope.version > fromVersion ? timelineEntryOf(envelope, position) : undefined,
      );
    },
    resolve: resolvePayload((cause) =>
      streamUnavailable(log, 'the task event stream', cause, 'subscribe again with fromVersion set to the last version you received'),
    ),
  };
}
