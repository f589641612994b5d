import type { LogLine } from '@cohort/contracts';
import { decodeLogMessage } from './decode-log-message.js';
import { logsUnavailable } from './logs-unavailable.js';
import { openRunLogConsumer, type RunLogRef } from './run-log-consumer.js';
import { sequenceLine, startSequencer } from './log-sequencer.js';

export interface ReadLogPageOptions extends RunLogRef {
  /** Return lines with a seq above this one. @default 0 */
  readonly fromSeq?: number;
  /** At most this many lines, 1 to {@link MAX_LOG_PAGE}. @default 500 */
  readonly limit?: number;
  /** How long reading the page may take before it fails with LogsUnavailable. @default 5000 */
  readonly timeoutMs?: number;
}

export interface LogPage {
  /** In seq order; seqs missing in between were removed by retention or never stored. */
  readonly lines: readonly LogLine[];
  /** The last line's seq, or `fromSeq` when the page is empty: pass it as the next `fromSeq`. */
  readonly lastSeq: number;
  /** True when more lines were stored after `lastSeq` at the time of reading. */
  readonly hasMore: boolean;
}

export const MAX_LOG_PAGE = 5_000;

/** One page of a run's stored log, straight from the log stream. */
export async function readLogPage(options: ReadLogPageOptions): Promise<LogPage> {
  const fromSeq = options.fromSeq ?? 0;
  const limit = options.limit ?? 500;
  if (!Number.isSafeInteger(fromSeq) || fromSeq < 0) throw new RangeError(`fromSeq must be a non-negative integer, got ${String(fromSeq)}`);
  if (!Number.isSafeInteger(limit) || limit < 1 || limit > MAX_LOG_PAGE) {
    throw new RangeError(`limit must be an integer from 1 to ${MAX_LOG_PAGE}, got ${String(limit)}`);
  }
  const what = `reading the log of run ${options.runId} of task ${options.taskId}`;
  let opened: Awaited<ReturnType<typeof openRunLogConsumer>>;
  try {
    opened = await openRunLogConsumer(options, fromSeq);
  } catch (error) {
    throw logsUnavailable(what, error);
  }
  const { consumer, start, pending } = opened;
  const lines: LogLine[] = [];
  let hasMore = false;
  try {
    if (!start.stored || pending === 0) return { lines, lastSeq: fromSeq, hasMore: false };
    const messages = await consumer.consume({ max_messages: Math.min(limit + 1, 1_000) });
    // Lines only disappear from the front of the stream, so the messages counted
    // above arrive unless retention removes them meanwhile; the timer covers that.
    const timer = setTimeout(() => void messages.close(), options.timeoutMs ?? 5_000);
    let sequencer = startSequencer(fromSeq);
    let finished = false;
    try {
      for await (const message of messages) {
        const decoded = decodeLogMessage(message.data);
        if (decoded.ok) {
          const next = sequenceLine(sequencer, decoded.value.seq);
          sequencer = next.state;
          if (next.verdict.type === 'emit') lines.push(decoded.value);
        }
        if (message.info.pending === 0) {
          finished = true;
          break;
        }
        if (lines.length >= limit) {
          hasMore = true;
          finished = true;
          break;
        }
      }
    } finally {
      clearTimeout(timer);
      void messages.close();
    }
    if (!finished) throw new Error(`timed out after ${options.timeoutMs ?? 5_000} ms`);
    return { lines, lastSeq: lines.at(-1)?.seq ?? fromSeq, hasMore };
  } catch (error) {
    throw logsUnavailable(what, error);
  } finally {
    consumer.delete().catch(() => undefined);
  }
}
