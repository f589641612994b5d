import type { LogLine } from '../graphql/types.js';

/** What happened to a delivered line. */
export type Accepted = 'appended' | 'duplicate' | 'after-gap';

/** Lines `fromSeq` to `toSeq` (inclusive) the gateway no longer stores. */
export interface MissingRange {
  readonly fromSeq: number;
  readonly toSeq: number;
}

/** Decides what to do with line `seq` when the highest seq held is `lastSeq` (seq is 1-based per run). */
export function acceptSeq(lastSeq: number, seq: number): Accepted {
  if (seq <= lastSeq) return 'duplicate';
  return seq === lastSeq + 1 ? 'appended' : 'after-gap';
}

/**
 * One run's log lines, in seq order, each exactly once, however the history
 * pages and the live stream overlap and however often the stream replays after
 * reconnects. Mutable on purpose: 100,000 lines are appended in place and
 * copying them for each page would be quadratic.
 *
 * A line past a hole is kept: the gateway sends a run's lines in seq order over
 * one connection, so a hole is lines its retention removed (or the agent never
 * stored), which no re-read can bring back. The hole is recorded so the view
 * can say so.
 */
export class LogBuffer {
  private readonly held: LogLine[] = [];
  private readonly holes: MissingRange[] = [];
  private missingLines = 0;

  get lines(): readonly LogLine[] {
    return this.held;
  }

  get length(): number {
    return this.held.length;
  }

  /** The highest seq held: `fromSeq` for the next page and for every (re)subscription. */
  get lastSeq(): number {
    return this.held.at(-1)?.seq ?? 0;
  }

  /** Ranges of seqs skipped over because the gateway no longer has them. */
  get missing(): readonly MissingRange[] {
    return this.holes;
  }

  /** How many seqs fall in {@link missing}. */
  get missingCount(): number {
    return this.missingLines;
  }

  add(line: LogLine): Accepted {
    const lastSeq = this.lastSeq;
    const accepted = acceptSeq(lastSeq, line.seq);
    if (accepted === 'duplicate') return accepted;
    if (accepted === 'after-gap') {
      this.holes.push({ fromSeq: lastSeq + 1, toSeq: line.seq - 1 });
      this.missingLines += line.seq - 1 - lastSeq;
    }
    this.held.push(line);
    return accepted;
  }

  /** Adds lines in order; returns how many were new. */
  addAll(lines: Iterable<LogLine>): number {
    let added = 0;
    for (const line of lines) if (this.add(line) !== 'duplicate') added++;
    return added;
  }
}
