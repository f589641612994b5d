import { randomBytes } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import {
  createTestDatabase,
  natsTestContext,
  spawnService,
  waitFor,
  type NatsTestContext,
  type SpawnedService,
  type TestDatabase,
} from '@cohort/testing';

const ENTRY = 'gateway/src/main.ts';
let ctx: NatsTestContext | undefined;
let db: TestDatabase | undefined;
let gateway: SpawnedService | undefined;

afterEach(async () => {
  await gateway?.stop('SIGKILL');
  await ctx?.dispose();
  await db?.dispose();
  gateway = ctx = db = undefined;
});

describe('gateway as a process', () => {
  it('serves GraphQL with the bootstrap admin token, logs JSON lines without it, and exits 0 on SIGTERM', async () => {
    ctx = await natsTestContext({ label: 'gwmain' });
    db = await createTestDatabase('gwmain');
    const token = `boot-${randomBytes(16).toString('hex')}`;
    gateway = spawnService(ENTRY, {
      NATS_URL: ctx.url,
      COHORT_NAMESPACE: ctx.topology.namespace,
      DATABASE_URL: db.url,
      GATEWAY_PORT: '0',
      COHORT_ADMIN_TOKEN: token,
    });
    const url = await waitFor(
      'the gateway to report its URL',
      () => /gateway serving (http:\/\/[^ ]+\/graphql)/.exec(gateway!.output())?.[1],
      30_000,
      100,
    );
    const res = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: JSON.stringify({ query: '{ apiTokens { name scopes } }' }),
    });
    expect(await res.json()).toEqual({ data: { apiTokens: [{ name: 'local-admin', scopes: ['admin'] }] } });
    expect(await gateway.stop('SIGTERM')).toBe(0);
    const output = gateway.output();
    for (const line of output.trim().split('\n')) expect(() => JSON.parse(line) as unknown).not.toThrow();
    expect(output).toContain('"service":"gateway"');
    expect(output).not.toContain(token);
  });

  it('refuses to start with invalid configuration, naming every variable at fault', async () => {
    gateway = spawnService(ENTRY, { GATEWAY_PORT: 'eighty', COHORT_ADMIN_TOKEN: 'weak' });
    expect(await gateway.exited).toBe(1);
    expect(gateway.output()).toContain('GATEWAY_PORT');
    expect(gateway.output()).toContain('COHORT_ADMIN_TOKEN is too weak');
    expect(gateway.output()).not.toContain('"weak"');
  });
});
