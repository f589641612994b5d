import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { LogLine } from '../graphql/types.js';
import { acceptSeq, LogBuffer } from './log-buffer.js';

const line = (seq: number): LogLine => ({
  taskId: 't',
  runId: 'r',
  seq,
  stream: 'stdout',
  text: `line ${seq}`,
  at: '2026-11-20T10:00:00Z',
});

/** A run's stored seqs, ascending, with holes where retention removed lines. */
const storedSeqs = (maxLength = 300) =>
  fc.uniqueArray(fc.integer({ min: 1, max: 2 * maxLength }), { maxLength }).map((seqs) => seqs.sort((a, b) => a - b));

describe('acceptSeq', () => {
  it.each([
    [0, 1, 'appended'],
    [5, 6, 'appended'],
    [5, 5, 'duplicate'],
    [5, 1, 'duplicate'],
    [5, 7, 'after-gap'],
    [0, 2, 'after-gap'],
  ] as const)('with %i held, seq %i is %s', (lastSeq, seq, expected) => {
    expect(acceptSeq(lastSeq, seq)).toBe(expected);
  });
});

describe('LogBuffer', () => {
  it('holds each stored line once, in order, however pages and replays after reconnects overlap', () => {
    // Each delivery is what a page or a (re)subscription sends: the stored lines after some fromSeq at or
    // below the last seq held when it started, possibly cut short (a page's limit, a dropped connection).
    fc.assert(
      fc.property(storedSeqs(), fc.array(fc.tuple(fc.nat(), fc.nat({ max: 50 })), { maxLength: 20 }), (stored, deliveries) => {
        const buffer = new LogBuffer();
        for (const [back, length] of deliveries) {
          const from = Math.max(0, buffer.lastSeq - (back % (buffer.lastSeq + 1)));
          buffer.addAll(
            stored
              .filter((seq) => seq > from)
              .slice(0, length)
              .map(line),
          );
        }
        buffer.addAll(stored.filter((seq) => seq > buffer.lastSeq).map(line));
        expect(buffer.lines.map((l) => l.seq)).toEqual(stored);
        expect(buffer.lastSeq).toBe(stored.at(-1) ?? 0);
        const last = stored.at(-1) ?? 0;
        expect(buffer.missingCount).toBe(last - stored.length);
        const missing = buffer.missing.flatMap(({ fromSeq, toSeq }) => Array.from({ length: toSeq - fromSeq + 1 }, (_, i) => fromSeq + i));
        expect(missing).toEqual(Array.from({ length: last }, (_, i) => i + 1).filter((seq) => !stored.includes(seq)));
      }),
    );
  });

  it('keeps a line past a hole and records the hole, since the gateway sends lines in order and a hole never fills', () => {
    const buffer = new LogBuffer();
    expect(buffer.addAll([line(1), line(2)])).toBe(2);
    expect(buffer.add(line(5))).toBe('after-gap');
    expect(buffer.missing).toEqual([{ fromSeq: 3, toSeq: 4 }]);
    expect(buffer.missingCount).toBe(2);
    expect(buffer.lastSeq).toBe(5);
    expect(buffer.add(line(3))).toBe('duplicate');
    expect(buffer.add(line(6))).toBe('appended');
    expect(buffer.lines.map((l) => l.seq)).toEqual([1, 2, 5, 6]);
  });

  it('starts after a history whose front retention removed', () => {
    const buffer = new LogBuffer();
    expect(buffer.add(line(1001))).toBe('after-gap');
    expect(buffer.missing).toEqual([{ fromSeq: 1, toSeq: 1000 }]);
    expect(buffer.lastSeq).toBe(1001);
  });
});
