import type { TaskFilter, TaskRow } from '../read-model.js';
import { taskNode } from '../resolvers/row-mapping.js';
import { GraphQLError } from '../graphql.js';
import { LatestPerKeyBuffer } from './latest-per-key-buffer.js';
import type { ProjectedTaskFeed } from './projected-task-feed.js';
import type { SubscriptionLog } from './subscription-deps.js';
import { subscriptionIterator, type ClosableSource } from './subscription-iterator.js';
import { taskMatchesFilter } from './task-matches-filter.js';

const MAX_FILTER_TEXT = 200;

/**
 * `Subscription.taskUpdated`: each projected change of a task matching the
 * filter, as the task's state right after it. A client that reads slower than
 * tasks change gets each task's latest state, not every intermediate one.
 */
export function taskUpdatedField(feed: ProjectedTaskFeed, log: SubscriptionLog, maxBufferedTasks: number) {
  return {
    subscribe: (_root: unknown, args: { readonly filter?: TaskFilter | null }) => {
      const filter = args.filter ?? undefined;
      if (filter?.text && filter.text.length > MAX_FILTER_TEXT) {
        throw new GraphQLError(`filter.text is ${filter.text.length} characters long; at most ${MAX_FILTER_TEXT} are allowed`, {
          extensions: { code: 'BAD_USER_INPUT', field: 'filter.text' },
        });
      }
      return subscriptionIterator(taskUpdates(feed, filter, maxBufferedTasks, log), taskNode);
    },
    resolve: (payload: unknown) => payload,
  };
}

function taskUpdates(
  feed: ProjectedTaskFeed,
  filter: TaskFilter | undefined,
  capacity: number,
  log: SubscriptionLog,
): ClosableSource<TaskRow> {
  const buffer = new LatestPerKeyBuffer<string, TaskRow>(capacity);
  const done: IteratorReturnResult<undefined> = { done: true, value: undefined };
  let wake: (() => void) | undefined;
  let closed = false;
  const unlisten = feed.listen((row) => {
    if (!taskMatchesFilter(row, filter)) return;
    if (buffer.put(row.id, row) && buffer.dropped % 100 === 1) {
      log.warn(`a taskUpdated client reads too slowly: ${buffer.dropped} task update(s) dropped so far`, 'Subscriptions');
    }
    wake?.();
  });
  const iterator: AsyncIterator<TaskRow> = {
    async next() {
      while (!closed) {
        const row = buffer.take();
        if (row) return { done: false, value: row };
        await new Promise<void>((resolve) => (wake = resolve));
        wake = undefined;
      }
      return done;
    },
    async return() {
      closed = true;
      unlisten();
      wake?.();
      return done;
    },
  };
  return {
    [Symbol.asyncIterator]: () => iterator,
    close: async () => {
      await iterator.return!();
    },
  };
}
