import type { ConsumerMessages } from '@nats-io/jetstream';
import type { LogLine } from '@cohort/contracts';
import { decodeLogMessage } from './decode-log-message.js';
import { sequenceLine, startSequencer, type LogGap } from './log-sequencer.js';
import { logsUnavailable } from './logs-unavailable.js';
import { openRunLogConsumer, type RunLogRef } from './run-log-consumer.js';

export interface TailLogsOptions extends RunLogRef {
  /** Deliver lines with a seq above this one (the last seq the caller has). @default 0 */
  readonly fromSeq?: number;
  /** Ends the tail, like close(). */
  readonly signal?: AbortSignal;
  /** Lines that will never come: removed by retention before they were read, or never stored. */
  readonly onGap?: (gap: LogGap) => void;
  /** A message on the run's subject that is not a LogLine; it is skipped. */
  readonly onUndecodable?: (streamSeq: number, reason: string) => void;
  /** Lines the client buffers ahead of the reader. @default 256 */
  readonly batch?: number;
}

/** A run's log from `fromSeq` on, stored lines first and then live ones, until closed. */
export interface LogTail extends AsyncIterable<LogLine> {
  /** Stops delivery (a pending `next()` resolves done) and deletes the consumer. */
  close(): Promise<void>;
}

/**
 * Replays the stored lines of a run after `fromSeq`, then streams new ones as
 * they are stored, in seq order with no gap and no duplicate at the boundary.
 *
 * There is no boundary to get wrong: one ordered consumer on the run's subject
 * reads history and live lines alike, in the order the stream stored them, so
 * a line published while the history is being read is simply the next message.
 * Delivery starts at the first stored line after `fromSeq` (found by a binary
 * search over the stream), so resuming deep into a long run costs a few look-ups.
 */
export function tailLogs(options: TailLogsOptions): LogTail {
  const controller = new AbortController();
  const stop = () => controller.abort();
  if (options.signal?.aborted) stop();
  else options.signal?.addEventListener('abort', stop, { once: true });
  const generator = deliver(options, controller.signal);
  const close = async () => {
    stop();
    options.signal?.removeEventListener('abort', stop);
    await generator.return(undefined);
  };
  // return() must not wait for the next line: a generator queues return() behind
  // a pending next(), which on a quiet run would never settle. Aborting first
  // ends the pending next(); then the generator's cleanup runs.
  const iterator: AsyncIterator<LogLine> = {
    next: () => generator.next(),
    return: async () => {
      await close();
      return { done: true, value: undefined };
    },
  };
  return { [Symbol.asyncIterator]: () => iterator, close };
}

async function* deliver(options: TailLogsOptions, signal: AbortSignal): AsyncGenerator<LogLine, void, undefined> {
  const fromSeq = options.fromSeq ?? 0;
  let sequencer = startSequencer(fromSeq);
  const what = `tailing the log of run ${options.runId} of task ${options.taskId}`;
  if (signal.aborted) return;
  let opened: Awaited<ReturnType<typeof openRunLogConsumer>>;
  try {
    opened = await openRunLogConsumer(options, fromSeq);
  } catch (error) {
    if (signal.aborted) return;
    throw logsUnavailable(what, error);
  }
  const { consumer } = opened;
  let messages: ConsumerMessages | undefined;
  const closeMessages = () => void messages?.close();
  try {
    if (signal.aborted) return;
    messages = await consumer.consume({ max_messages: options.batch ?? 256 });
    signal.addEventListener('abort', closeMessages, { once: true });
    if (signal.aborted) return;
    for await (const message of messages) {
      if (signal.aborted) return;
      const decoded = decodeLogMessage(message.data);
      if (!decoded.ok) {
        options.onUndecodable?.(message.seq, decoded.error.message);
        continue;
      }
      const next = sequenceLine(sequencer, decoded.value.seq);
      sequencer = next.state;
      if (next.verdict.type === 'skip') continue;
      if (next.verdict.gap) options.onGap?.(next.verdict.gap);
      yield decoded.value;
    }
    if (!signal.aborted) {
      const reason = await messages.closed();
      throw logsUnavailable(what, reason ?? new Error('the server ended delivery'));
    }
  } catch (error) {
    if (signal.aborted) return;
    throw logsUnavailable(what, error);
  } finally {
    signal.removeEventListener('abort', closeMessages);
    // Not awaited: close() settles only once the iterator drains, which it
    // cannot while this generator is parked at a yield.
    closeMessages();
    consumer.delete().catch(() => undefined);
  }
}
