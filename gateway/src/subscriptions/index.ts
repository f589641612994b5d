import { JsonLogger } from '@cohort/platform';
import type { LogPageReader } from '../context.js';
import { ProjectedTaskFeed } from './projected-task-feed.js';
import type { SubscriptionDependencies } from './subscription-deps.js';
import { taskEventsField } from './task-events-field.js';
import { taskLogsField } from './task-logs-field.js';
import { taskLogsPage } from './task-logs-page.js';
import { taskUpdatedField } from './task-updated-field.js';

export type { SubscriptionDependencies, SubscriptionLog } from './subscription-deps.js';
export { taskMatchesFilter } from './task-matches-filter.js';

/**
 * The live side of the API, straight from NATS: `taskLogs` and `taskEvents`
 * read the log and event streams (so they work while Postgres is down),
 * `taskUpdated` follows the projector's notifications. Also the reader of
 * `Task.logs` pages. Every subscription's iterator releases its NATS consumer
 * or subscription as soon as graphql-ws returns it.
 */
export function createSubscriptionResolvers(deps: SubscriptionDependencies) {
  const log = deps.logger ?? new JsonLogger('gateway');
  const feed = new ProjectedTaskFeed({ nc: deps.nc, topology: deps.topology, readModel: deps.readModel, log });
  const taskLogsPageReader: LogPageReader = taskLogsPage(deps, log);
  return {
    Subscription: {
      taskUpdated: taskUpdatedField(feed, log, deps.maxBufferedTasksPerClient ?? 1_000),
      taskEvents: taskEventsField(deps, log),
      taskLogs: taskLogsField(deps, log),
    },
    taskLogsPage: taskLogsPageReader,
  };
}
