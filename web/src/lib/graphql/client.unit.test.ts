import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { backoffMs, webSocketUrl } from './client.js';

describe('webSocketUrl', () => {
  it.each([
    ['http://127.0.0.1:4000/graphql', 'ws://127.0.0.1:4000/graphql'],
    ['https://cohort.example/api/graphql', 'wss://cohort.example/api/graphql'],
  ])('%s → %s', (http, ws) => {
    expect(webSocketUrl(http)).toBe(ws);
  });
});

describe('backoffMs', () => {
  it('grows with the retries, never passes the cap and never waits less than half the step', () => {
    fc.assert(
      fc.property(
        fc.nat(100),
        fc.integer({ min: 1000, max: 60_000 }),
        fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }),
        (retries, cap, r) => {
          const wait = backoffMs(retries, cap, () => r);
          const step = Math.min(cap, 500 * 2 ** Math.min(retries, 16));
          expect(wait).toBeGreaterThanOrEqual(Math.floor(step / 2));
          expect(wait).toBeLessThanOrEqual(cap);
        },
      ),
    );
    expect(backoffMs(0, 10_000, () => 0)).toBe(250);
    expect(backoffMs(10, 10_000, () => 0.999)).toBeLessThanOrEqual(10_000);
  });
});
