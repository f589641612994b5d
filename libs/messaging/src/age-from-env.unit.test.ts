import { describe, expect, it } from 'vitest';
import { ageFromEnv } from './ensure-messaging-streams.js';

describe('ageFromEnv', () => {
  it('is undefined when unset and reads a whole number of seconds, minutes, hours or days', () => {
    expect(ageFromEnv('X', {})).toBeUndefined();
    expect(ageFromEnv('X', { X: '' })).toBeUndefined();
    expect(ageFromEnv('X', { X: '30d' })).toBe(30 * 24 * 3_600_000);
    expect(ageFromEnv('X', { X: '12h' })).toBe(12 * 3_600_000);
    expect(ageFromEnv('X', { X: '90m' })).toBe(90 * 60_000);
    expect(ageFromEnv('X', { X: '600s' })).toBe(600_000);
  });

  it.each(['30', '1.5d', 'thirty days', '-1d', '59s', '0d'])('rejects %j naming the variable', (raw) => {
    expect(() => ageFromEnv('COHORT_LOGS_MAX_AGE', { COHORT_LOGS_MAX_AGE: raw })).toThrow(
      /COHORT_LOGS_MAX_AGE=.* is not an age of at least one minute/,
    );
  });
});
