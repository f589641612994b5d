import { jetstreamManager } from '@nats-io/jetstream';
import { decodeLogMessage } from './decode-log-message.js';
import { logsUnavailable } from './logs-unavailable.js';
import type { RunLogRef } from './run-log-consumer.js';

/**
 * The seq of the last line stored for a run (0 when none is): how many lines
 * the run has logged, since seqs are gapless from 1. Read from the log stream
 * rather than projected, because log lines are not events.
 */
export async function lastLogSeq(ref: RunLogRef): Promise<number> {
  try {
    const jsm = await jetstreamManager(ref.nc, { checkAPI: false });
    const last = await jsm.streams.getMessage(ref.topology.streams.logs, { last_by_subj: ref.topology.log(ref.taskId, ref.runId) });
    if (!last) return 0;
    const decoded = decodeLogMessage(last.data);
    return decoded.ok ? decoded.value.seq : 0;
  } catch (error) {
    throw logsUnavailable(`reading the last line of run ${ref.runId}`, error);
  }
}
