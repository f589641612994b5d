import type { LogLine } from '@cohort/contracts';
import { ChunkQueue, type ChunkLimits } from './chunk-queue.js';
import type { LogGap } from './log-sequencer.js';

/** Where a tail takes its lines from: the stream's stored lines, or the run's subject as lines are published. */
export type TailSource = 'stored' | 'live';

/** What the reading side must do after a line: start reading stored lines after `lastSeq`, or stop reading them. */
export type TailAction = 'read-stored' | 'stop-stored' | undefined;

export interface LogTailLimits {
  /** Lines and characters of text in one chunk handed to the reader; two chunks' worth may wait for it. */
  readonly chunk: ChunkLimits;
  /** Live lines (and characters of their text) kept while stored lines are read; past it the oldest go. */
  readonly liveBuffer: ChunkLimits;
}

/**
 * A chunk: enough lines that a reader catching up gets a run's history in few
 * messages, few enough characters that one message stays well under what
 * browsers and proxies take in one WebSocket frame. The live buffer: about 25 s
 * of a run writing 200 lines a second.
 */
export const DEFAULT_LOG_TAIL_LIMITS: LogTailLimits = {
  chunk: { maxItems: 500, maxWeight: 256 * 1024 },
  liveBuffer: { maxItems: 5000, maxWeight: 2 * 1024 * 1024 },
};

/** What a line weighs against the limits: its characters of text. */
export const logLineWeight = (line: LogLine): number => line.text.length;

/**
 * Which lines of one run a reader gets, in seq order with no duplicate, and
 * where they come from. Pure: the caller does the reading and follows the
 * returned actions.
 *
 * Lines come from two places. Live lines arrive on the run's subject as they
 * are published: nothing to pull, nothing for the server to keep per reader.
 * Stored lines come from a consumer on the stream, which the server must keep
 * and feed. So a tail reads stored lines only where the live ones cannot
 * serve: the history before the subscription started, a seq the live
 * subscription skipped (a reconnect, a publisher that gave up on a line), and
 * whatever piled up while the reader was slower than the run.
 *
 * Switching back is safe only where the two meet without a hole: a run's
 * lines are published one at a time, each once the previous is stored, so the
 * stored lines come in seq order and a hole among them is a real gap; the
 * live buffer holds what arrived since, and the tail goes live when the first
 * buffered line is the next seq. Until then it keeps reading stored lines,
 * which bring every line the buffer dropped or never saw.
 */
export class LogTailState {
  #source: TailSource = 'stored';
  #lastSeq: number;
  readonly #ready: ChunkQueue<LogLine>;
  readonly #buffer: ChunkQueue<LogLine>;

  constructor(
    fromSeq: number,
    private readonly limits: LogTailLimits = DEFAULT_LOG_TAIL_LIMITS,
    private readonly onGap: (gap: LogGap) => void = () => undefined,
  ) {
    if (!Number.isSafeInteger(fromSeq) || fromSeq < 0)
      throw new RangeError(`fromSeq must be a non-negative integer, got ${String(fromSeq)}`);
    this.#lastSeq = fromSeq;
    this.#ready = new ChunkQueue(limits.chunk, logLineWeight);
    // Read a line at a time (peek and shift), never in chunks.
    this.#buffer = new ChunkQueue(limits.liveBuffer, logLineWeight);
  }

  /** Starts on stored lines: the history after `fromSeq` and whatever is published while the subscription starts. */
  get source(): TailSource {
    return this.#source;
  }

  /** The seq of the last line handed to the reader or waiting for it. */
  get lastSeq(): number {
    return this.#lastSeq;
  }

  /** True while the reader has two chunks' worth waiting: stop reading stored lines until it takes some. */
  get backlogged(): boolean {
    return this.#ready.full;
  }

  /** Lines buffered from the live subscription, not yet handed on. */
  get buffered(): number {
    return this.#buffer.size;
  }

  /** The next chunk for the reader (never empty), or undefined when nothing waits. */
  take(): LogLine[] | undefined {
    return this.#ready.take();
  }

  /** A line the run's subject delivered. */
  live(line: LogLine): TailAction {
    if (this.#source === 'live') {
      if (line.seq <= this.#lastSeq) return undefined;
      if (line.seq === this.#lastSeq + 1 && !this.#ready.full) {
        this.#accept(line);
        return undefined;
      }
      // A hole (the stored lines may fill it) or a reader that fell behind (the stored lines wait for it).
      this.#source = 'stored';
      this.#keep(line);
      return 'read-stored';
    }
    this.#keep(line);
    return this.#join();
  }

  /** A line read from the stream (ignored unless reading stored lines). */
  stored(line: LogLine): TailAction {
    if (this.#source !== 'stored') return undefined;
    if (line.seq > this.#lastSeq) this.#accept(line);
    return this.#join();
  }

  /**
   * The live subscription may have missed lines (its connection was down):
   * read stored ones from the last seq. What the buffer holds no longer runs
   * up to now, so it cannot be joined; the stored lines bring it back.
   */
  resync(): TailAction {
    while (this.#buffer.size > 0) this.#buffer.shift();
    if (this.#source === 'stored') return undefined;
    this.#source = 'stored';
    return 'read-stored';
  }

  #accept(line: LogLine): void {
    if (line.seq > this.#lastSeq + 1) this.onGap({ fromSeq: this.#lastSeq + 1, toSeq: line.seq - 1 });
    this.#ready.push(line);
    this.#lastSeq = line.seq;
  }

  #keep(line: LogLine): void {
    this.#buffer.push(line);
    const { maxItems, maxWeight } = this.limits.liveBuffer;
    // The stored lines bring back whatever is dropped here.
    while (this.#buffer.size > 1 && (this.#buffer.size > maxItems || this.#buffer.weight > maxWeight)) this.#buffer.shift();
  }

  /**
   * Goes live once the buffered lines carry on from the last seq, handing them
   * on; call it too after the reader took a chunk while stored lines are read.
   */
  rejoin(): TailAction {
    if (this.#source !== 'stored') return undefined;
    return this.#join();
  }

  #join(): TailAction {
    const buffer = this.#buffer;
    while (buffer.size > 0 && buffer.peek()!.seq <= this.#lastSeq) buffer.shift();
    if (buffer.size === 0 || buffer.peek()!.seq !== this.#lastSeq + 1 || this.#ready.full) return undefined;
    while (buffer.size > 0) {
      const line = buffer.peek()!;
      if (line.seq <= this.#lastSeq) buffer.shift();
      else if (line.seq === this.#lastSeq + 1 && !this.#ready.full) this.#accept(buffer.shift()!);
      // A hole inside the buffer, or the reader fell behind: the consumer still open carries on from where it is.
      else return undefined;
    }
    this.#source = 'live';
    return 'stop-stored';
  }
}
