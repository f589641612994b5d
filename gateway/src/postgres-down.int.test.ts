import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import pg from 'pg';
import { databaseUrl, waitFor } from '@cohort/testing';
import { startGatewayHarness, type GatewayHarness } from '../test/gateway-harness.js';

let h: GatewayHarness;
beforeAll(async () => {
  h = await startGatewayHarness('gwpgdown', { services: ['intake', 'projector'] });
});
afterAll(async () => {
  if (h) await allowConnections(h.db.name, true);
  await h?.dispose();
});

async function admin<T>(fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: databaseUrl() });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

/** Makes the test's database refuse connections and drops the open ones, as a Postgres outage does for its clients. */
async function allowConnections(name: string, allow: boolean): Promise<void> {
  await admin(async (client) => {
    await client.query(`ALTER DATABASE "${name}" ALLOW_CONNECTIONS ${allow}`);
    if (!allow)
      await client.query('SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()', [name]);
  });
}

describe('gateway while Postgres is down', () => {
  it('answers queries with UNAVAILABLE naming Postgres, still takes mutations, and reads them once Postgres is back', async () => {
    const before = await h.gql(
      'mutation { createTask(input: { kind: standalone, title: "Before", prompt: "p", taskId: "before" }) { position } }',
    );
    expect(before.body.errors).toBeUndefined();

    await allowConnections(h.db.name, false);

    const query = await h.gql('{ tasks { totalCount } }');
    expect(query.body.errors?.[0]?.extensions?.code).toBe('UNAVAILABLE');
    expect(query.body.errors?.[0]?.message).toContain('the projections in Postgres are unavailable');
    expect(query.body.errors?.[0]?.message).toContain('mutations and subscriptions still work');
    expect(JSON.stringify(query.body)).not.toMatch(/stack|pg_|ECONN|at \//);

    const readSide = await h.gql('{ readSide { available checkpoint head } }');
    expect(readSide.body.data?.readSide).toEqual({ available: false, checkpoint: null, head: expect.stringMatching(/^\d+$/) });

    const ready = await fetch(h.gateway.url.replace(/\/graphql$/, '/readyz'));
    expect(ready.status).toBe(200);
    const report = (await ready.json()) as { checks: Record<string, { ok: boolean; detail: string }> };
    expect(report.checks.postgres).toMatchObject({ ok: false });
    expect(report.checks.nats?.ok).toBe(true);

    const during = await h.gql(
      'mutation { createTask(input: { kind: standalone, title: "During", prompt: "p", taskId: "during" }) { id position } }',
    );
    expect(during.body.errors).toBeUndefined();
    expect(during.body.data?.createTask).toMatchObject({ id: 'during' });
    const position = (during.body.data!.createTask as { position: string }).position;

    await allowConnections(h.db.name, true);
    const task = await waitFor(
      'the task created during the outage to be readable',
      async () => {
        const reply = await h.gql(`{ task(id: "during", atLeast: "${position}") { id title } }`);
        return reply.body.errors ? undefined : reply.body.data?.task;
      },
      30_000,
      200,
    );
    expect(task).toEqual({ id: 'during', title: 'During' });
  });
});
