import { randomBytes } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { CommandErrorCode, ResolveForRunSchema, SetSecretSchema } from '@cohort/contracts';
import { CommandClient } from '@cohort/messaging';
import { natsTestContext, spawnService, waitFor, type NatsTestContext, type SpawnedService } from '@cohort/testing';

const ENTRY = 'services/connections/src/main.ts';
let ctx: NatsTestContext | undefined;
let service: SpawnedService | undefined;

afterEach(async () => {
  await service?.stop('SIGKILL');
  await ctx?.dispose();
  service = ctx = undefined;
});

describe('connections as a process', () => {
  it('stores and resolves a secret, never prints it, and exits 0 on SIGTERM', async () => {
    ctx = await natsTestContext({ label: 'connmain' });
    const key = randomBytes(32).toString('base64');
    service = spawnService(ENTRY, { NATS_URL: ctx.url, COHORT_NAMESPACE: ctx.topology.namespace, COHORT_SECRETS_KEY: key });
    const client = new CommandClient(ctx.nc, ctx.topology, { timeoutMs: 500 });
    const set = await waitFor(
      'connections to answer SetSecret',
      async () => {
        const result = await client.send('connections', 'SetSecret', SetSecretSchema, { name: 'TOKEN', value: 'proc-secret-4242' });
        return result.ok || result.error.code !== CommandErrorCode.UNAVAILABLE ? result : undefined;
      },
      30_000,
      200,
    );
    expect(set.ok).toBe(true);
    const resolved = await client.send('connections', 'ResolveForRun', ResolveForRunSchema, { taskId: 't', runId: 'r' });
    expect(resolved.ok && resolved.value.runEnv?.env).toEqual({ TOKEN: 'proc-secret-4242' });
    expect(await service.stop('SIGTERM')).toBe(0);
    expect(service.output()).toContain('"service":"connections"');
    expect(service.output()).not.toContain('proc-secret-4242');
    expect(service.output()).not.toContain(key);
  });

  it.each([
    [{}, 'COHORT_SECRETS_KEY is not set'],
    [{ COHORT_SECRETS_KEY: 'too-short-key-value' }, 'COHORT_SECRETS_KEY must be 32 bytes'],
  ])('refuses to start without a usable key (%j), naming the variable and never the value', async (env, message) => {
    service = spawnService(ENTRY, { COHORT_SECRETS_KEY: '', ...env });
    expect(await service.exited).toBe(1);
    expect(service.output()).toContain(message);
    expect(service.output()).not.toContain('too-short-key-value');
  });
});
