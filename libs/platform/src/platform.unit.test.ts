import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { ConfigError, EnvReader } from './env-config.js';
import { readServiceBasics } from './service-basics.js';
import { JsonLogger } from './json-logger.js';
import { Redactor } from './redactor.js';

describe('EnvReader', () => {
  it('uses defaults for unset variables and parses set ones', () => {
    const env = new EnvReader({ PORT: '8080', DEBUG: 'yes', MODE: 'fast' });
    expect(env.integer('PORT', 1, { min: 1, max: 65535 })).toBe(8080);
    expect(env.integer('OTHER', 7)).toBe(7);
    expect(env.boolean('DEBUG', false)).toBe(true);
    expect(env.oneOf('MODE', ['fast', 'slow'] as const, 'slow')).toBe('fast');
    expect(() => env.done()).not.toThrow();
  });

  it('names every bad variable at once, with what is accepted', () => {
    const env = new EnvReader({ PORT: 'eighty', DEBUG: 'maybe', MODE: 'warp' });
    env.integer('PORT', 1, { min: 1, max: 65535 });
    env.boolean('DEBUG', false);
    env.oneOf('MODE', ['fast', 'slow'] as const, 'slow');
    env.required('COHORT_SECRETS_KEY', 'give 32 bytes as base64');
    try {
      env.done();
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(ConfigError);
      const problems = (error as ConfigError).problems;
      expect(problems).toHaveLength(4);
      expect(problems[0]).toBe('PORT="eighty" is not a whole number from 1 to 65535');
      expect(problems[1]).toContain('DEBUG="maybe" is not a boolean');
      expect(problems[2]).toContain('MODE="warp" is not one of fast, slow');
      expect(problems[3]).toBe('COHORT_SECRETS_KEY is not set: give 32 bytes as base64');
    }
  });
});

describe('Redactor', () => {
  it('masks every occurrence of every registered secret, longest first', () => {
    const redactor = new Redactor().add('tok_abc', 'tok_abcdef');
    expect(redactor.redact('a tok_abcdef b tok_abc c')).toBe('a [redacted] b [redacted] c');
  });

  it('never lets a registered secret through, whatever surrounds it (property)', () => {
    fc.assert(
      fc.property(fc.string({ minLength: 4 }), fc.string(), fc.string(), (secret, before, after) => {
        const out = new Redactor().add(secret).redact(`${before}${secret}${after}`);
        expect(out.includes(secret) && !Redactor.MASK.includes(secret)).toBe(false);
      }),
    );
  });

  it('leaves text alone when no secret is registered or after removal', () => {
    const redactor = new Redactor().add('s3cr3t');
    redactor.remove('s3cr3t');
    expect(redactor.redact('s3cr3t')).toBe('s3cr3t');
  });
});

describe('JsonLogger', () => {
  it('writes one JSON object per line with level, service and context, redacting secrets', () => {
    const lines: Array<[string, boolean]> = [];
    const logger = new JsonLogger('intake', {
      redactor: new Redactor().add('hunter22'),
      write: (line, isError) => lines.push([line, isError]),
    });
    logger.log('password hunter22 accepted', 'Auth');
    logger.error('boom', 'Error: boom\n at x', 'Handler');
    logger.debug('hidden');
    expect(lines).toHaveLength(2);
    const first = JSON.parse(lines[0]![0]);
    expect(first).toMatchObject({ level: 'log', service: 'intake', context: 'Auth', msg: 'password [redacted] accepted' });
    const second = JSON.parse(lines[1]![0]);
    expect(second).toMatchObject({ level: 'error', context: 'Handler', msg: 'boom', stack: 'Error: boom\n at x' });
    expect(lines[1]![1]).toBe(true);
  });
});

describe('readServiceBasics', () => {
  it('defaults to the local NATS, the cohort namespace and no health server', () => {
    const read = new EnvReader({});
    expect(readServiceBasics(read)).toEqual({ natsUrl: 'nats://127.0.0.1:4222', namespace: 'cohort', healthPort: undefined });
    expect(() => read.done()).not.toThrow();
  });

  it.each([
    ['off', undefined],
    ['0', 0],
    ['8081', 8081],
  ])('reads HEALTH_PORT=%j as %j', (raw, port) => {
    expect(readServiceBasics(new EnvReader({ HEALTH_PORT: raw })).healthPort).toBe(port);
  });

  it('names a bad namespace and a bad port together', () => {
    const read = new EnvReader({ COHORT_NAMESPACE: 'Bad-NS', HEALTH_PORT: '-1' });
    readServiceBasics(read);
    expect(() => read.done()).toThrow(/COHORT_NAMESPACE="Bad-NS" is invalid[\s\S]*HEALTH_PORT="-1" is not a port/);
  });
});
