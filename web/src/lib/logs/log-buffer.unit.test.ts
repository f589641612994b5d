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

describe('acceptSeq', () => {
  it.each([
    [0, 1, 'appended'],
    [5, 6, 'appended'],
    [5, 5, 'duplicate'],
    [5, 1, 'duplicate'],
    [5, 7, 'gap'],
    [0, 2, 'gap'],
  ] as const)('with %i held, seq %i is %s', (lastSeq, seq, expected) => {
    expect(acceptSeq(lastSeq, seq)).toBe(expected);
  });
});

describe('LogBuffer', () => {
  it('holds each line once, in order, however the stream replays after reconnects', () => {
    // Each delivery is what a (re)subscription sends: lines from some fromSeq at or below what was
    // held when it started, possibly cut short by a dropped connection.
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 300 }), fc.array(fc.tuple(fc.nat(), fc.nat()), { maxLength: 20 }), (total, attempts) => {
        const buffer = new LogBuffer();
        for (const [back, length] of attempts) {
          const from = Math.max(0, buffer.lastSeq - (back % (buffer.lastSeq + 1)));
          for (let seq = from + 1; seq <= Math.min(total, from + length); seq++) buffer.add(line(seq));
        }
        for (let seq = buffer.lastSeq + 1; seq <= total; seq++) buffer.add(line(seq));
        expect(buffer.lines.map((l) => l.seq)).toEqual(Array.from({ length: total }, (_, i) => i + 1));
        expect(buffer.lastSeq).toBe(total);
        expect(buffer.gapAt).toBeUndefined();
      }),
    );
  });

  it('refuses a line past a hole and remembers where the hole is until it is filled', () => {
    const buffer = new LogBuffer();
    expect(buffer.addAll([line(1), line(2)])).toBe(2);
    expect(buffer.add(line(4))).toBe('gap');
    expect(buffer.gapAt).toBe(4);
    expect(buffer.lastSeq).toBe(2);
    expect(buffer.add(line(3))).toBe('appended');
    expect(buffer.gapAt).toBeUndefined();
    expect(buffer.add(line(4))).toBe('appended');
    expect(buffer.lines.map((l) => l.seq)).toEqual([1, 2, 3, 4]);
  });
});
