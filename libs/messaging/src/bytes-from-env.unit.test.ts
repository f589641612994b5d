import { describe, expect, it } from 'vitest';
import { bytesFromEnv } from './ensure-messaging-streams.js';

describe('bytesFromEnv', () => {
  it('is undefined when unset and reads a whole number of bytes', () => {
    expect(bytesFromEnv('X', {})).toBeUndefined();
    expect(bytesFromEnv('X', { X: '' })).toBeUndefined();
    expect(bytesFromEnv('X', { X: '67108864' })).toBe(67108864);
  });

  it.each(['12', 'ten', '2097152.5', '-1'])('rejects %j naming the variable', (raw) => {
    expect(() => bytesFromEnv('COHORT_LOGS_MAX_BYTES', { COHORT_LOGS_MAX_BYTES: raw })).toThrow(
      /COHORT_LOGS_MAX_BYTES=.* is not a size in bytes/,
    );
  });
});
