import type { JetStreamManager, StoredMsg } from '@nats-io/jetstream';
import { decodeLogMessage } from './decode-log-message.js';

/** Where a reader of one run's subject should start in the log stream. */
export interface LogStart {
  /** The stream sequence to start delivery at; no line after `fromSeq` is stored before it. */
  readonly streamSeq: number;
  /** Whether a line after `fromSeq` was stored when looked up. */
  readonly stored: boolean;
}

/**
 * Finds the stream sequence of the first stored line with a seq above
 * `fromSeq`, so a reader resuming deep into a long run skips the lines it has
 * without the server sending them. A run's lines are stored in seq order, so
 * this is a binary search over stream sequences, each probe one
 * "next message on this subject from sequence n" look-up.
 *
 * Starting too early is harmless (the reader drops seqs it already has);
 * starting too late would lose lines, so every doubt resolves to earlier.
 */
export async function findLogStart(jsm: JetStreamManager, stream: string, subject: string, fromSeq: number): Promise<LogStart> {
  const last = await jsm.streams.getMessage(stream, { last_by_subj: subject });
  if (!last) return { streamSeq: 1, stored: false };
  if (fromSeq <= 0) return { streamSeq: 1, stored: true };
  const lastSeq = logSeqOf(last);
  if (lastSeq !== undefined && lastSeq <= fromSeq) return { streamSeq: last.seq + 1, stored: false };

  // The answer is `candidate` or a subject message in [lo, hiBound].
  let candidate = last.seq;
  let lo = 1;
  let hiBound = last.seq - 1;
  while (lo <= hiBound) {
    const mid = Math.floor((lo + hiBound) / 2);
    const probe = await nextOnSubject(jsm, stream, subject, mid);
    // Retention removed everything from here on meanwhile: new lines come after.
    if (!probe) return { streamSeq: mid, stored: false };
    if (probe.seq >= candidate) {
      hiBound = mid - 1;
      continue;
    }
    const seq = logSeqOf(probe);
    if (seq === undefined || seq > fromSeq) {
      candidate = probe.seq;
      hiBound = mid - 1;
    } else {
      lo = probe.seq + 1;
    }
  }
  return { streamSeq: candidate, stored: true };
}

/**
 * The first message on `subject` at or after `streamSeq`. NATS 2.9 answers
 * `next_by_subj` on the ordinary get API, not only on direct get; the client's
 * types only list it for direct get, hence the cast.
 */
function nextOnSubject(jsm: JetStreamManager, stream: string, subject: string, streamSeq: number): Promise<StoredMsg | null> {
  return jsm.streams.getMessage(stream, { seq: streamSeq, next_by_subj: subject } as unknown as { seq: number });
}

function logSeqOf(message: StoredMsg): number | undefined {
  const decoded = decodeLogMessage(message.data);
  return decoded.ok ? decoded.value.seq : undefined;
}
