import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { nextPullNumber, parsePullFileName, pullFileName } from './pull-request-store.js';

describe('pull request file names', () => {
  it('round-trips every number through its file name', () => {
    fc.assert(fc.property(fc.integer({ min: 1, max: 10_000_000 }), (n) => parsePullFileName(pullFileName(n)) === n));
  });

  it('sorts file names in number order up to a million', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 999_999 }),
        fc.integer({ min: 1, max: 999_999 }),
        (a, b) => Math.sign(a - b) === Math.sign(pullFileName(a).localeCompare(pullFileName(b))),
      ),
    );
  });

  it('allocates one more than the highest number and ignores temp and foreign files', () => {
    expect(nextPullNumber([])).toBe(1);
    expect(nextPullNumber(['000001.json', '000007.json', '.abc.tmp', 'notes.txt', '000003.json'])).toBe(8);
  });

  it('never allocates a number already taken', () => {
    fc.assert(
      fc.property(fc.uniqueArray(fc.integer({ min: 1, max: 5000 })), (taken) => {
        const next = nextPullNumber(taken.map(pullFileName));
        return !taken.includes(next) && next >= 1;
      }),
    );
  });
});
