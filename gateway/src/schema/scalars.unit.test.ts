import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { parseDate, parseDateTime, parsePosition, serializePosition } from './scalars.js';

describe('Position', () => {
  it('round-trips every uint64 through its decimal string exactly (property)', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: 0n, max: 2n ** 64n - 1n }), (position) => {
        expect(parsePosition(serializePosition(position))).toBe(position);
      }),
    );
  });

  it.each([['-1'], ['1.5'], ['01'], ['abc'], [''], ['18446744073709551616'], [-3], [2 ** 60], [true], [null]])(
    'refuses %j, saying what is accepted',
    (value) => {
      expect(() => parsePosition(value)).toThrow(/Position cannot be .*: use a decimal string of a whole number/);
    },
  );

  it('accepts a safe integer as a convenience', () => {
    expect(parsePosition(42)).toBe(42n);
  });
});

describe('Date', () => {
  it('accepts exactly the days of the calendar (property)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1970, max: 2200 }), fc.integer({ min: 1, max: 12 }), fc.integer({ min: 1, max: 31 }), (y, m, d) => {
        const text = `${y}-${String(m).padStart(2, '0')}-${String(d).padStart(2, '0')}`;
        const real = new Date(Date.UTC(y, m - 1, d)).getUTCDate() === d;
        if (real) expect(parseDate(text)).toBe(text);
        else expect(() => parseDate(text)).toThrow('is not a day of the calendar');
      }),
    );
  });

  it.each([['2026-1-05'], ['2026-01-05T00:00:00Z'], ['yesterday'], [20260105]])('refuses %j', (value) => {
    expect(() => parseDate(value)).toThrow(/Date cannot be/);
  });
});

describe('DateTime', () => {
  it('normalises an instant with an offset to UTC', () => {
    expect(parseDateTime('2026-01-31T14:00:00+02:00')).toBe('2026-01-31T12:00:00.000Z');
  });

  it.each([['2026-01-31'], ['2026-01-31T12:00:00'], ['noon']])('refuses %j, which has no time zone or is no instant', (value) => {
    expect(() => parseDateTime(value)).toThrow(/DateTime cannot be/);
  });
});
