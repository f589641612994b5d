import { jetstream, jetstreamManager, RetentionPolicy, StorageType } from '@nats-io/jetstream';
import { headers as natsHeaders, type NatsConnection } from '@nats-io/transport-node';
import { create, encodeJson, Headers, LogLineSchema, LogStream, type Topology } from '@cohort/contracts';

/** The logs stream as agent-runtime's installation creates it (limits aside), for tests and benchmarks. */
export async function createLogStream(nc: NatsConnection, tp: Topology): Promise<void> {
  const jsm = await jetstreamManager(nc);
  await jsm.streams.add({
    name: tp.streams.logs,
    subjects: [tp.allLogs],
    storage: StorageType.File,
    retention: RetentionPolicy.Limits,
    max_bytes: 64 * 1024 * 1024,
  });
}

/**
 * Publishes one run's lines the way agent-runtime's LogPublisher does: in order,
 * one at a time, `Nats-Msg-Id` `<runId>:<seq>`. Resolves to the stream sequence.
 */
export function runLogPublisher(nc: NatsConnection, tp: Topology, taskId: string, runId: string) {
  const js = jetstream(nc);
  const subject = tp.log(taskId, runId);
  return async (seq: number, text = `line ${seq}`, at = new Date().toISOString()): Promise<number> => {
    const line = create(LogLineSchema, { taskId, runId, seq, stream: LogStream.STDOUT, text, at });
    const h = natsHeaders();
    h.set(Headers.msgId, `${runId}:${seq}`);
    return (await js.publish(subject, encodeJson(LogLineSchema, line), { headers: h })).seq;
  };
}
