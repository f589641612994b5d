import { tailLogs } from '@cohort/projections';
import { logLineNode } from './log-line-node.js';
import { streamUnavailable, type SubscriptionDependencies, type SubscriptionLog } from './subscription-deps.js';
import { resolvePayload, subscriptionIterator } from './subscription-iterator.js';
import { assertRunOfTask, intArgument, taskRunsOrNotFound } from './task-runs.js';

export interface TaskLogsArgs {
  readonly taskId: string;
  readonly runId: string;
  readonly fromSeq?: number | null;
}

/**
 * `Subscription.taskLogs`: the run's stored lines after `fromSeq`, then live
 * ones, from the log stream; NOT_FOUND for a task or run that does not exist.
 */
export function taskLogsField(deps: SubscriptionDependencies, log: SubscriptionLog) {
  return {
    subscribe: async (_root: unknown, args: TaskLogsArgs) => {
      const fromSeq = intArgument(args.fromSeq, 0, 2 ** 31 - 1, 'fromSeq');
      assertRunOfTask(await taskRunsOrNotFound(deps.events, args.taskId), args.taskId, args.runId);
      const tail = tailLogs({
        nc: deps.nc,
        topology: deps.topology,
        taskId: args.taskId,
        runId: args.runId,
        fromSeq,
        onGap: (gap) =>
          log.warn(`run ${args.runId} of task ${args.taskId}: lines ${gap.fromSeq}-${gap.toSeq} are no longer stored`, 'Subscriptions'),
      });
      return subscriptionIterator(tail, logLineNode);
    },
    resolve: resolvePayload((cause) =>
      streamUnavailable(log, 'the log tail', cause, 'subscribe again with fromSeq set to the last seq you received'),
    ),
  };
}
