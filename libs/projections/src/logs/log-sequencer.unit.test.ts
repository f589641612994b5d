import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { sequenceLine, startSequencer, type LogGap } from './log-sequencer.js';

function run(fromSeq: number, seqs: readonly number[]): { emitted: number[]; gaps: LogGap[] } {
  let state = startSequencer(fromSeq);
  const emitted: number[] = [];
  const gaps: LogGap[] = [];
  for (const seq of seqs) {
    const next = sequenceLine(state, seq);
    state = next.state;
    if (next.verdict.type === 'emit') {
      emitted.push(seq);
      if (next.verdict.gap) gaps.push(next.verdict.gap);
    }
  }
  return { emitted, gaps };
}

describe('log sequencer', () => {
  it.each([
    { name: 'passes a gapless run on', fromSeq: 0, seqs: [1, 2, 3], emitted: [1, 2, 3], gaps: [] },
    { name: 'skips lines the reader already has', fromSeq: 2, seqs: [1, 2, 3, 4], emitted: [3, 4], gaps: [] },
    { name: 'drops a redelivered line', fromSeq: 0, seqs: [1, 2, 2, 3, 1], emitted: [1, 2, 3], gaps: [] },
    { name: 'reports lines lost to retention at the start', fromSeq: 0, seqs: [5, 6], emitted: [5, 6], gaps: [{ fromSeq: 1, toSeq: 4 }] },
    { name: 'reports a line missing in the middle', fromSeq: 3, seqs: [4, 6, 7], emitted: [4, 6, 7], gaps: [{ fromSeq: 5, toSeq: 5 }] },
    {
      name: 'drops a line that arrives after a later one',
      fromSeq: 0,
      seqs: [1, 3, 2, 4],
      emitted: [1, 3, 4],
      gaps: [{ fromSeq: 2, toSeq: 2 }],
    },
  ])('$name', ({ fromSeq, seqs, emitted, gaps }) => {
    expect(run(fromSeq, seqs)).toEqual({ emitted, gaps });
  });

  it('refuses a negative or fractional fromSeq', () => {
    expect(() => startSequencer(-1)).toThrow(/fromSeq must be a non-negative integer, got -1/);
    expect(() => startSequencer(1.5)).toThrow(/got 1.5/);
  });

  it('emits strictly increasing seqs above fromSeq, each once, and every missing number in exactly one gap', () => {
    fc.assert(
      fc.property(fc.nat(50), fc.array(fc.integer({ min: 1, max: 120 }), { maxLength: 200 }), (fromSeq, seqs) => {
        const { emitted, gaps } = run(fromSeq, seqs);
        // Strictly increasing, above fromSeq: no duplicate, nothing the reader had.
        emitted.forEach((seq, i) => expect(seq).toBeGreaterThan(i === 0 ? fromSeq : emitted[i - 1]!));
        // Every line above what came before it is passed on: nothing deliverable is lost.
        let high = fromSeq;
        for (const seq of seqs) {
          if (seq > high) {
            expect(emitted).toContain(seq);
            high = seq;
          }
        }
        // Emitted lines and gaps together cover fromSeq+1 .. last emitted, without overlap.
        const covered = [...emitted, ...gaps.flatMap((g) => Array.from({ length: g.toSeq - g.fromSeq + 1 }, (_, k) => g.fromSeq + k))];
        covered.sort((a, b) => a - b);
        const last = emitted.at(-1) ?? fromSeq;
        expect(covered).toEqual(Array.from({ length: last - fromSeq }, (_, k) => fromSeq + 1 + k));
      }),
    );
  });

  it('passes on a gapless, duplicated and reordered-by-redelivery feed exactly once and with no gap', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 100 }),
        fc.nat(100),
        fc.array(fc.nat(), { maxLength: 30 }),
        (total, fromSeqRaw, redeliveries) => {
          const fromSeq = fromSeqRaw % (total + 1);
          // A consumer reset redelivers some earlier lines after later ones.
          const seqs: number[] = [];
          for (let seq = 1; seq <= total; seq++) {
            seqs.push(seq);
            const again = redeliveries[seq % Math.max(1, redeliveries.length)];
            if (again !== undefined && again % 3 === 0) seqs.push(1 + (again % seq));
          }
          const { emitted, gaps } = run(fromSeq, seqs);
          expect(emitted).toEqual(Array.from({ length: total - fromSeq }, (_, k) => fromSeq + 1 + k));
          expect(gaps).toEqual([]);
        },
      ),
    );
  });
});
