/**
 * Decides, line by line, what a reader of one run's log passes on.
 *
 * A run's lines carry `seq` 1, 2, 3 … and are stored in that order, so in
 * stream order a reader only has to drop what it has already passed on (a
 * line at or below `fromSeq`, or one redelivered after a consumer reset) and
 * notice when numbers are missing: lines removed by the stream's retention,
 * or a line the publisher gave up on. Nothing is held back waiting for a
 * missing line, because a line stored later than its successor never comes.
 */

/** Lines `fromSeq` to `toSeq` (inclusive) will never be delivered. */
export interface LogGap {
  readonly fromSeq: number;
  readonly toSeq: number;
}

export interface LogSequencerState {
  /** The highest seq passed on so far (or the reader's `fromSeq`). */
  readonly lastSeq: number;
}

export type LogVerdict =
  | { readonly type: 'emit'; readonly gap?: LogGap }
  /** At or below what was already passed on: a duplicate or a line the reader skipped past. */
  | { readonly type: 'skip' };

export function startSequencer(fromSeq: number): LogSequencerState {
  if (!Number.isSafeInteger(fromSeq) || fromSeq < 0) throw new RangeError(`fromSeq must be a non-negative integer, got ${String(fromSeq)}`);
  return { lastSeq: fromSeq };
}

export function sequenceLine(state: LogSequencerState, seq: number): { readonly state: LogSequencerState; readonly verdict: LogVerdict } {
  if (seq <= state.lastSeq) return { state, verdict: { type: 'skip' } };
  const verdict: LogVerdict =
    seq === state.lastSeq + 1 ? { type: 'emit' } : { type: 'emit', gap: { fromSeq: state.lastSeq + 1, toSeq: seq - 1 } };
  return { state: { lastSeq: seq }, verdict };
}
