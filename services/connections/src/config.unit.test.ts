import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { fromJson } from '@bufbuild/protobuf';
import { ValueSchema } from '@bufbuild/protobuf/wkt';
import { CommandFailure } from '@cohort/messaging';
import { ConfigError } from '@cohort/platform';
import { readConnectionsConfig } from './config.js';
import { decodeSetSecret } from './secret-commands.js';

describe('readConnectionsConfig', () => {
  it('reads the defaults and the key', () => {
    const key = randomBytes(32);
    expect(readConnectionsConfig({ COHORT_SECRETS_KEY: key.toString('hex') })).toEqual({
      natsUrl: 'nats://127.0.0.1:4222',
      namespace: 'cohort',
      healthPort: undefined,
      secretsKey: key,
    });
  });

  it('names every variable at fault at once, and never the key given', () => {
    try {
      readConnectionsConfig({ COHORT_SECRETS_KEY: 'not-a-key-at-all', HEALTH_PORT: '-1' });
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(ConfigError);
      expect((error as ConfigError).problems).toHaveLength(2);
      expect((error as Error).message).toContain('COHORT_SECRETS_KEY must be 32 bytes');
      expect((error as Error).message).toContain('HEALTH_PORT');
      expect((error as Error).message).not.toContain('not-a-key-at-all');
    }
  });
});

describe('decodeSetSecret', () => {
  it.each([12345678, true, { nested: 'sekrit-object' }, ['sekrit-array']])(
    'refuses the wrongly typed value %j without repeating it',
    (value) => {
      try {
        decodeSetSecret(fromJson(ValueSchema, { name: 'A', value }));
        expect.unreachable();
      } catch (error) {
        expect(error).toBeInstanceOf(CommandFailure);
        expect((error as CommandFailure).field).toBe('value');
        expect((error as Error).message).not.toMatch(/12345678|true|sekrit/);
      }
    },
  );

  it('decodes a well-formed command', () => {
    expect(decodeSetSecret(fromJson(ValueSchema, { name: 'A', value: 'v', scope: 'repo:web' }))).toMatchObject({
      name: 'A',
      value: 'v',
      scope: 'repo:web',
    });
  });
});
