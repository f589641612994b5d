import { DeliverPolicy, jetstream, jetstreamManager, type Consumer } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/transport-node';
import type { Topology } from '@cohort/contracts';
import { findLogStart, type LogStart } from './find-log-start.js';

/** Names one run's log: `<ns>.log.<taskId>.<runId>` in `<NS>_LOGS`. */
export interface RunLogRef {
  readonly nc: NatsConnection;
  readonly topology: Topology;
  readonly taskId: string;
  readonly runId: string;
}

export interface RunLogConsumer {
  readonly consumer: Consumer;
  readonly start: LogStart;
  /** Messages on the run's subject from the start, as counted when the consumer was made. */
  readonly pending: number;
}

/**
 * An ordered (ephemeral, unacknowledged, self-healing) consumer on the run's
 * subject only, starting where the first line after `fromSeq` is stored.
 * The caller deletes it when done; the server also drops it after a few
 * minutes without pulls, should the caller crash.
 */
export async function openRunLogConsumer(ref: RunLogRef, fromSeq: number): Promise<RunLogConsumer> {
  const stream = ref.topology.streams.logs;
  const subject = ref.topology.log(ref.taskId, ref.runId);
  // No account look-up per reader: the stream look-ups below fail clearly enough.
  const jsm = await jetstreamManager(ref.nc, { checkAPI: false });
  const start = await findLogStart(jsm, stream, subject, fromSeq);
  const consumer = await jetstream(ref.nc).consumers.get(stream, {
    filter_subjects: subject,
    ...(start.streamSeq <= 1
      ? { deliver_policy: DeliverPolicy.All }
      : { deliver_policy: DeliverPolicy.StartSequence, opt_start_seq: start.streamSeq }),
  });
  const info = await consumer.info(true);
  return { consumer, start, pending: info.num_pending };
}
