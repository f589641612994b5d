import { tailLogs } from '@cohort/projections';
import { ChunkQueue } from './chunk-queue.js';
import { chunkedSource } from './chunked-source.js';
import { LOG_CHUNK_LIMITS, logChunkNode, logLineWeight } from './log-chunk-node.js';
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
 * ones, from the log stream, in chunks; NOT_FOUND for a task or run that does
 * not exist.
 *
 * One payload per line cost a WebSocket write and a GraphQL execution per
 * line; so the tail is read ahead and each payload carries every line that is
 * ready when graphql-ws asks for the next one, which it does once the previous
 * payload is handed to the socket. A client that keeps up still gets each line
 * at once, alone.
 */
export function taskLogsField(deps: SubscriptionDependencies, log: SubscriptionLog) {
  const limits = deps.logChunkLimits ?? LOG_CHUNK_LIMITS;
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
      return subscriptionIterator(chunkedSource(tail, new ChunkQueue(limits, logLineWeight)), logChunkNode);
    },
    resolve: resolvePayload((cause) =>
      streamUnavailable(log, 'the log tail', cause, 'subscribe again with fromSeq set to the lastSeq of the last chunk you received'),
    ),
  };
}
