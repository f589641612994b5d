import type { LogLine } from '../graphql/types.js';

/** What happened to a delivered line. */
export type Accepted = 'appended' | 'duplicate' | 'gap';

/** Decides what to do with line `seq` when lines 1..lastSeq are held (seq is 1-based and gapless per run). */
export function acceptSeq(lastSeq: number, seq: number): Accepted {
  if (seq <= lastSeq) return 'duplicate';
  return seq === lastSeq + 1 ? 'appended' : 'gap';
}

/**
 * One run's log lines, in seq order, each exactly once, however often the stream
 * replays after reconnects. Mutable on purpose: 100,000 lines are appended one by
 * one and copying them for each would be quadratic.
 */
export class LogBuffer {
  private readonly held: LogLine[] = [];
  /** Set when a line arrived past a hole; the stream must resubscribe from `lastSeq`. */
  gapAt: number | undefined;

  get lines(): readonly LogLine[] {
    return this.held;
  }

  get length(): number {
    return this.held.length;
  }

  /** The seq to pass as `fromSeq` when (re)subscribing. */
  get lastSeq(): number {
    return this.held.length;
  }

  add(line: LogLine): Accepted {
    const accepted = acceptSeq(this.lastSeq, line.seq);
    if (accepted === 'appended') {
      this.held.push(line);
      this.gapAt = undefined;
    } else if (accepted === 'gap') {
      this.gapAt ??= line.seq;
    }
    return accepted;
  }

  /** Adds lines in order; returns how many were new. */
  addAll(lines: Iterable<LogLine>): number {
    let added = 0;
    for (const line of lines) if (this.add(line) === 'appended') added++;
    return added;
  }
}
