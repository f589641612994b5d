import { tailLogs } from '@cohort/projections';
import { logChunkNode } from './log-chunk-node.js';
import { pacedSource } from './paced-source.js';
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
 * ones, in chunks; NOT_FOUND for a task or run that does not exist.
 *
 * A payload costs a GraphQL execution and a WebSocket write however many
 * lines it carries, so each one carries every line ready when it is made, and
 * payloads go at most one per `logFlushIntervalMs`: a run writing hundreds of
 * lines a second costs its reader tens of payloads, not hundreds. A line
 * after a quiet spell goes at once.
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
        ...(deps.logTailLimits ? { limits: deps.logTailLimits } : {}),
        onGap: (gap) =>
          log.warn(`run ${args.runId} of task ${args.taskId}: lines ${gap.fromSeq}-${gap.toSeq} are no longer stored`, 'Subscriptions'),
      });
      return subscriptionIterator(pacedSource(tail, deps.logFlushIntervalMs ?? 0), logChunkNode);
    },
    resolve: resolvePayload((cause) =>
      streamUnavailable(log, 'the log tail', cause, 'subscribe again with fromSeq set to the lastSeq of the last chunk you received'),
    ),
  };
}
