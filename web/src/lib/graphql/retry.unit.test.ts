import { afterEach, describe, expect, it, vi } from 'vitest';
import { GatewayError } from './errors.js';
import { isTransient, RetryTimer } from './retry.js';

describe('RetryTimer', () => {
  afterEach(() => vi.useRealTimers());

  it.each([
    ['UNAVAILABLE', true],
    ['NETWORK', true],
    ['BAD_USER_INPUT', false],
    ['FORBIDDEN', false],
  ])('treats %s as transient: %s', (code, expected) => {
    expect(isTransient(new GatewayError('x', code))).toBe(expected);
  });

  it('runs the load again after a transient failure, and not after stop', () => {
    vi.useFakeTimers();
    const timer = new RetryTimer(1_000);
    let runs = 0;
    expect(timer.schedule(() => runs++, new GatewayError('down', 'UNAVAILABLE'))).toBe(true);
    vi.advanceTimersByTime(1_000);
    expect(runs).toBe(1);
    expect(timer.schedule(() => runs++, new Error('a bug'))).toBe(false);
    timer.schedule(() => runs++, new GatewayError('down', 'NETWORK'));
    timer.stop();
    vi.advanceTimersByTime(5_000);
    expect(runs).toBe(1);
  });
});
