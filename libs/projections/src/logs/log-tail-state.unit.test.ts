import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { create, LogLineSchema, LogStream, type LogLine } from '@cohort/contracts';
import type { LogGap } from './log-sequencer.js';
import { LogTailState, type LogTailLimits, type TailAction } from './log-tail-state.js';

const line = (seq: number, text = `line ${seq}`): LogLine =>
  create(LogLineSchema, { taskId: 't', runId: 'r', seq, stream: LogStream.STDOUT, text, at: '2026-11-21T00:00:00.000Z' });

const roomy: LogTailLimits = { chunk: { maxItems: 100, maxWeight: 100_000 }, liveBuffer: { maxItems: 100, maxWeight: 100_000 } };

function stateFrom(fromSeq = 0, limits = roomy) {
  const gaps: LogGap[] = [];
  const state = new LogTailState(fromSeq, limits, (gap) => gaps.push(gap));
  const takeAll = () => {
    const seqs: number[] = [];
    for (let chunk = state.take(); chunk; chunk = state.take()) seqs.push(...chunk.map((l) => l.seq));
    return seqs;
  };
  return { state, gaps, takeAll };
}

describe('LogTailState', () => {
  it('starts on stored lines and goes live when a live line carries on from the last stored one', () => {
    const { state, takeAll } = stateFrom();
    expect(state.source).toBe('stored');
    expect(state.stored(line(1))).toBeUndefined();
    expect(state.stored(line(2))).toBeUndefined();
    expect(state.live(line(3))).toBe('stop-stored');
    expect(state.source).toBe('live');
    expect(state.live(line(4))).toBeUndefined();
    expect(takeAll()).toEqual([1, 2, 3, 4]);
  });

  it('keeps live lines that arrive ahead of the stored ones and hands them on once the stored ones reach them', () => {
    const { state, takeAll } = stateFrom();
    expect(state.live(line(3))).toBeUndefined();
    expect(state.live(line(4))).toBeUndefined();
    expect(state.buffered).toBe(2);
    expect(state.stored(line(1))).toBeUndefined();
    // The stored read also brings 3 and 4 later; the join happens at 2 and they are then skipped.
    expect(state.stored(line(2))).toBe('stop-stored');
    expect(state.stored(line(3))).toBeUndefined();
    expect(takeAll()).toEqual([1, 2, 3, 4]);
    expect(state.buffered).toBe(0);
  });

  it('drops a live line it already handed on', () => {
    const { state, takeAll } = stateFrom();
    state.live(line(1));
    state.live(line(1));
    state.live(line(2));
    expect(takeAll()).toEqual([1, 2]);
  });

  it('skips lines at or below fromSeq from either source', () => {
    const { state, takeAll } = stateFrom(5);
    state.stored(line(4));
    state.stored(line(5));
    expect(state.live(line(5))).toBeUndefined();
    expect(state.live(line(6))).toBe('stop-stored');
    expect(takeAll()).toEqual([6]);
  });

  it('reads stored lines when the live ones skip a seq, and goes live again once the hole is filled', () => {
    const { state, gaps, takeAll } = stateFrom();
    state.live(line(1));
    expect(state.live(line(3))).toBe('read-stored');
    expect(state.source).toBe('stored');
    expect(state.live(line(4))).toBeUndefined();
    expect(state.stored(line(2))).toBe('stop-stored');
    expect(takeAll()).toEqual([1, 2, 3, 4]);
    expect(gaps).toEqual([]);
  });

  it('reports a hole among stored lines as a gap: they are stored in seq order', () => {
    const { state, gaps, takeAll } = stateFrom();
    state.live(line(1));
    expect(state.live(line(4))).toBe('read-stored');
    expect(state.stored(line(4))).toBeUndefined();
    expect(gaps).toEqual([{ fromSeq: 2, toSeq: 3 }]);
    // Nothing buffered to join yet: the stored read stays open until a live line carries on.
    expect(state.source).toBe('stored');
    expect(state.live(line(5))).toBe('stop-stored');
    expect(takeAll()).toEqual([1, 4, 5]);
  });

  it('falls back to stored lines when the reader is two chunks behind, and rejoins once it catches up', () => {
    const limits: LogTailLimits = { chunk: { maxItems: 2, maxWeight: 1000 }, liveBuffer: { maxItems: 100, maxWeight: 100_000 } };
    const { state, takeAll } = stateFrom(0, limits);
    state.live(line(1));
    for (let seq = 2; seq <= 4; seq++) expect(state.live(line(seq))).toBeUndefined();
    expect(state.backlogged).toBe(true);
    expect(state.live(line(5))).toBe('read-stored');
    state.live(line(6));
    expect(state.take()!.map((l) => l.seq)).toEqual([1, 2]);
    // Room again: the buffered 5 and 6 carry straight on from 4.
    expect(state.rejoin()).toBe('stop-stored');
    expect(takeAll()).toEqual([3, 4, 5, 6]);
  });

  it('keeps only the newest live lines while stored ones are read, by count and by characters', () => {
    const limits: LogTailLimits = { chunk: { maxItems: 100, maxWeight: 100_000 }, liveBuffer: { maxItems: 3, maxWeight: 10 } };
    const { state, takeAll } = stateFrom(0, limits);
    // Line 1 is still on its way from the stream, so none of these can be handed on yet.
    for (let seq = 2; seq <= 6; seq++) state.live(line(seq, 'ab'));
    expect(state.buffered).toBe(3);
    state.live(line(7, 'abcdefghi'));
    expect(state.buffered).toBe(1);
    // The stored lines bring back what the buffer dropped.
    for (let seq = 1; seq <= 5; seq++) expect(state.stored(line(seq))).toBeUndefined();
    expect(state.stored(line(6))).toBe('stop-stored');
    expect(takeAll()).toEqual([1, 2, 3, 4, 5, 6, 7]);
  });

  it('reads stored lines again after a reconnect, and ignores stored lines while live', () => {
    const { state, takeAll } = stateFrom();
    expect(state.live(line(1))).toBe('stop-stored');
    expect(state.stored(line(2))).toBeUndefined();
    expect(state.lastSeq).toBe(1);
    expect(state.resync()).toBe('read-stored');
    expect(state.resync()).toBeUndefined();
    expect(state.stored(line(2))).toBeUndefined();
    expect(state.live(line(3))).toBe('stop-stored');
    expect(takeAll()).toEqual([1, 2, 3]);
  });

  it('does not join live lines from before a reconnect: lines after them may be missing', () => {
    const { state, takeAll } = stateFrom();
    state.live(line(2));
    expect(state.resync()).toBeUndefined();
    expect(state.buffered).toBe(0);
    // Line 3 was published while the connection was down; the stored read brings 1 to 3.
    expect(state.stored(line(1))).toBeUndefined();
    expect(state.stored(line(2))).toBeUndefined();
    expect(state.stored(line(3))).toBeUndefined();
    expect(state.live(line(4))).toBe('stop-stored');
    expect(takeAll()).toEqual([1, 2, 3, 4]);
  });

  it('hands lines over in chunks within the limits', () => {
    const limits: LogTailLimits = { chunk: { maxItems: 3, maxWeight: 1000 }, liveBuffer: roomy.liveBuffer };
    const { state } = stateFrom(0, limits);
    for (let seq = 1; seq <= 5; seq++) state.stored(line(seq));
    expect(state.take()!.map((l) => l.seq)).toEqual([1, 2, 3]);
    expect(state.take()!.map((l) => l.seq)).toEqual([4, 5]);
    expect(state.take()).toBeUndefined();
  });

  it('refuses a negative fromSeq', () => {
    expect(() => new LogTailState(-1)).toThrow(/fromSeq must be a non-negative integer, got -1/);
  });

  /**
   * A run published one line at a time (each stored, or given up on, before
   * the next), its lines reaching the live subscription in order unless the
   * connection is down, a consumer opened from the last seq when the state
   * asks and closed when it says, and a reader taking chunks now and then; all
   * interleaved at random. Whatever the order: the reader gets seqs in
   * increasing order, every stored line after fromSeq, nothing never
   * published, and each missing seq is reported as a gap.
   */
  it('hands on every stored line once, in order, whatever the interleaving', () => {
    const limits: LogTailLimits = { chunk: { maxItems: 3, maxWeight: 1000 }, liveBuffer: { maxItems: 4, maxWeight: 1000 } };
    const scenario = fc.record({
      history: fc.nat({ max: 8 }),
      fromSeq: fc.nat({ max: 10 }),
      lines: fc.array(fc.record({ stored: fc.integer({ min: 0, max: 9 }).map((n) => n !== 0) }), { maxLength: 40 }),
      steps: fc.array(fc.nat({ max: 5 }), { maxLength: 200 }),
    });
    fc.assert(
      fc.property(scenario, ({ history, fromSeq, lines, steps }) => {
        const storedSeqs: number[] = [];
        for (let seq = 1; seq <= history; seq++) storedSeqs.push(seq);
        let published = history;
        const inFlight: number[] = [];
        let connected = true;
        let cursor: number | undefined;
        const { state, gaps } = stateFrom(fromSeq, limits);
        const received: number[] = [];

        const follow = (action: TailAction) => {
          if (action === 'read-stored') cursor = storedSeqs.findIndex((seq) => seq > state.lastSeq);
          if (cursor === -1) cursor = storedSeqs.length;
          if (action === 'stop-stored') cursor = undefined;
        };
        follow('read-stored');
        const take = () => {
          const chunk = state.take();
          if (chunk) received.push(...chunk.map((l) => l.seq));
          follow(state.rejoin());
        };
        const publish = () => {
          const next = lines[published - history];
          if (!next) return;
          published++;
          if (next.stored) storedSeqs.push(published);
          if (connected) inFlight.push(published);
        };
        const deliverLive = () => {
          const seq = inFlight.shift();
          if (seq !== undefined) follow(state.live(line(seq)));
        };
        const deliverStored = () => {
          if (cursor === undefined || cursor >= storedSeqs.length || state.backlogged) return;
          follow(state.stored(line(storedSeqs[cursor++]!)));
        };
        const toggleConnection = () => {
          connected = !connected;
          if (!connected) inFlight.length = 0;
          else follow(state.resync());
        };
        const actions = [publish, deliverLive, deliverStored, take, toggleConnection, publish];
        for (const step of steps) actions[step]!();

        // Then everything settles: reconnected, all published, delivered and read.
        if (!connected) toggleConnection();
        while (published - history < lines.length) publish();
        const progress = () => `${received.length}/${inFlight.length}/${String(cursor)}/${state.buffered}`;
        for (let before = ''; before !== progress();) {
          before = progress();
          deliverLive();
          deliverStored();
          take();
        }

        for (let i = 1; i < received.length; i++) expect(received[i]).toBeGreaterThan(received[i - 1]!);
        expect(received.every((seq) => seq > fromSeq && seq <= published)).toBe(true);
        expect(received).toEqual(expect.arrayContaining(storedSeqs.filter((seq) => seq > fromSeq)));
        const reported = new Set(gaps.flatMap((gap) => Array.from({ length: gap.toSeq - gap.fromSeq + 1 }, (_, k) => gap.fromSeq + k)));
        const last = received.at(-1) ?? fromSeq;
        for (let seq = fromSeq + 1; seq <= last; seq++) expect(received.includes(seq) || reported.has(seq)).toBe(true);
        for (const seq of received) expect(reported.has(seq)).toBe(false);
      }),
      { numRuns: 500 },
    );
  });
});
