import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { compareVersions } from './versions.js';

describe('compareVersions', () => {
  it.each([
    ['2.9.10', '2.9.0', 1],
    ['2.9.0', '2.10.0', -1],
    ['v24.9.0', '24.0.0', 1],
    ['20.20.2', '24.0.0', -1],
    ['2.10.0-beta.1', '2.10.0', 0],
    ['2.9', '2.9.0', 0],
  ])('orders %s against %s', (a, b, sign) => {
    expect(Math.sign(compareVersions(a, b))).toBe(sign);
  });

  it('is antisymmetric and reflexive (property)', () => {
    const version = fc.tuple(fc.nat(99), fc.nat(99), fc.nat(99)).map((parts) => parts.join('.'));
    fc.assert(
      fc.property(version, version, (a, b) => {
        expect(Math.sign(compareVersions(a, b))).toBe(-Math.sign(compareVersions(b, a)));
        expect(compareVersions(a, a)).toBe(0);
      }),
    );
  });
});
