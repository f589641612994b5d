import type { NatsConnection } from '@nats-io/transport-node';
import type { Topology } from '@cohort/contracts';
import type { EventStore } from '@cohort/eventstore';
import type { ReadModel } from '../read-model.js';
import { GraphQLError } from '../graphql.js';
import type { LogTailLimits } from '@cohort/projections';

/** Where warnings go: the gateway's JsonLogger fits. */
export interface SubscriptionLog {
  warn(message: string, context?: string): void;
}

export interface SubscriptionDependencies {
  readonly nc: NatsConnection;
  readonly topology: Topology;
  readonly readModel: ReadModel;
  readonly events: EventStore;
  /** @default a JsonLogger named "gateway" */
  readonly logger?: SubscriptionLog;
  /**
   * Tasks whose update a slow `taskUpdated` client may have waiting; past it the
   * oldest waiting update is dropped (each task keeps only its latest state anyway).
   * @default 1000
   */
  readonly maxBufferedTasksPerClient?: number;
  /**
   * Most lines and characters of text in one `taskLogs` chunk (a longer line
   * goes alone), and in the live lines a tail keeps while it reads stored ones.
   * A client that falls behind holds two chunks' worth in the gateway at most;
   * the rest waits in the stream.
   * @default DEFAULT_LOG_TAIL_LIMITS
   */
  readonly logTailLimits?: LogTailLimits;
  /**
   * Least time between two `taskLogs` payloads of one subscription, in ms; lines
   * that arrive meanwhile go out together. 0 sends each line as it comes.
   * @default 0
   */
  readonly logFlushIntervalMs?: number;
}

/**
 * What a client sees when NATS fails under a live subscription: UNAVAILABLE with
 * what to do, the cause in the log only.
 */
export function streamUnavailable(log: SubscriptionLog, what: string, cause: unknown, retry: string): GraphQLError {
  if (cause instanceof GraphQLError) return cause;
  log.warn(`${what} failed: ${cause instanceof Error ? `${cause.name}: ${cause.message}` : String(cause)}`, 'Subscriptions');
  return new GraphQLError(`${what} stopped because the event log (NATS JetStream) did not answer; ${retry}`, {
    extensions: { code: 'UNAVAILABLE' },
  });
}
