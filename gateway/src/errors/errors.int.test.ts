import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startGatewayHarness, type GatewayHarness } from '../../test/gateway-harness.js';

let h: GatewayHarness;
beforeAll(async () => {
  h = await startGatewayHarness('gwerrors', {
    services: ['intake', 'projector'],
    env: { GATEWAY_MAX_BODY_BYTES: '4096', GATEWAY_MAX_QUERY_LENGTH: '2000' },
  });
});
afterAll(async () => {
  await h?.dispose();
});

const first = (reply: Awaited<ReturnType<GatewayHarness['gql']>>) => reply.body.errors?.[0];

describe('gateway errors', () => {
  it('answers an argument of the wrong type with graphql’s message naming it, and a code', async () => {
    const literal = first(await h.gql('{ tasks(first: "many") { totalCount } }'));
    expect(literal?.message).toContain('Int cannot represent non-integer value: "many"');
    expect(literal?.extensions?.code).toBe('GRAPHQL_VALIDATION_FAILED');
    const variable = await h.gql('query ($n: Int) { tasks(first: $n) { totalCount } }', { n: 'many' });
    expect(variable.status).toBe(400);
    expect(first(variable)?.message).toContain('Variable "$n" got invalid value "many"');
    expect(first(variable)?.extensions?.code).toBe('BAD_USER_INPUT');
  });

  it('refuses an out-of-range page size and a reversed date range, naming the argument', async () => {
    expect(first(await h.gql('{ tasks(first: 500) { totalCount } }'))?.extensions).toEqual({ code: 'BAD_USER_INPUT', field: 'first' });
    const reversed = first(await h.gql('{ costs(from: "2026-02-01", to: "2026-01-01") { costUsd } }'));
    expect(reversed?.extensions).toEqual({ code: 'BAD_USER_INPUT', field: 'to' });
    expect(reversed?.message).toContain('before from');
    const notADay = first(await h.gql('{ costs(from: "2026-02-30", to: "2026-03-01") { costUsd } }'));
    expect(notADay?.message).toContain('2026-02-30 is not a day of the calendar');
  });

  it('refuses a position that is not a decimal uint64', async () => {
    const reply = first(await h.gql('{ taskCounts(atLeast: "-5") { running } }'));
    expect(reply?.message).toContain('use a decimal string of a whole number');
  });

  it('gives null, not an error, for ids nobody has', async () => {
    const reply = await h.gql('{ task(id: "nope") { id } repo(id: "nope") { id } }');
    expect(reply.body).toEqual({ data: { task: null, repo: null } });
  });

  it('answers a command on an unknown task with NOT_FOUND naming the argument', async () => {
    const reply = first(await h.gql('mutation { cancelTask(id: "nope") { id } }'));
    expect(reply?.extensions).toMatchObject({ code: 'NOT_FOUND', field: 'id' });
    expect(reply?.message).toContain('task "nope" does not exist');
  });

  it('answers invalid command input with BAD_USER_INPUT naming the input field', async () => {
    const reply = first(await h.gql('mutation { createTask(input: { kind: repo, title: "t" }) { id } }'));
    expect(reply?.extensions).toEqual({ code: 'BAD_USER_INPUT', field: 'input.repoId' });
    const params = first(
      await h.gql(
        'mutation { createTask(input: { kind: standalone, title: "t", templateId: "dependency-report", params: [{ name: "nope", value: "x" }] }) { id } }',
      ),
    );
    expect(params?.extensions?.field).toBe('input.params.nope');
  });

  it('answers a command that conflicts with the task’s state with CONFLICT', async () => {
    const created = await h.gql('mutation { createTask(input: { kind: standalone, title: "t", prompt: "p" }) { id } }');
    const id = (created.body.data!.createTask as { id: string }).id;
    await h.gql(`mutation { cancelTask(id: "${id}") { id } }`);
    const again = first(await h.gql(`mutation { retryTask(id: "${id}") { id } }`));
    expect(again?.extensions?.code).toBe('CONFLICT');
  });

  it('answers UNAVAILABLE naming the service when nobody answers a command', async () => {
    const reply = first(await h.gql('mutation { setSecret(name: "GH_TOKEN", value: "s3cr3t-value-123") { id } }'));
    expect(reply?.extensions).toMatchObject({ code: 'UNAVAILABLE', service: 'connections' });
    expect(reply?.message).toContain('service connections unavailable');
    expect(JSON.stringify(reply)).not.toContain('s3cr3t-value-123');
  });

  it('never echoes a secret value given with the wrong type', async () => {
    const reply = await h.gql('mutation { setSecret(name: "GH_TOKEN", value: 987654321) { id } }');
    expect(first(reply)?.extensions?.code).toBe('GRAPHQL_VALIDATION_FAILED');
    expect(JSON.stringify(reply.body)).not.toContain('987654321');
  });
});

describe('gateway limits', () => {
  it('refuses a body over the limit with 413 REQUEST_TOO_LARGE', async () => {
    const res = await fetch(h.gateway.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${h.adminToken}` },
      body: JSON.stringify({ query: '{ templates { id } }', variables: { pad: 'x'.repeat(5000) } }),
    });
    expect(res.status).toBe(413);
    const body = (await res.json()) as { errors: Array<{ message: string; extensions: Record<string, unknown> }> };
    expect(body.errors[0]!.extensions).toMatchObject({ code: 'REQUEST_TOO_LARGE', limit: 4096 });
  });

  it('refuses a query text over the limit with QUERY_TOO_LONG', async () => {
    const reply = await h.gql(`{ templates { id } } # ${'x'.repeat(2000)}`);
    expect(reply.status).toBe(400);
    expect(first(reply)?.extensions).toMatchObject({ code: 'QUERY_TOO_LONG', limit: 2000 });
  });

  it('refuses a query nested too deep with QUERY_TOO_DEEP before running it', async () => {
    const deep = await startGatewayHarness('gwdeep', { env: { GATEWAY_MAX_DEPTH: '4' } });
    try {
      const reply = await deep.gql('{ tasks(first: 1) { nodes { pullRequest { reviews { comments { body } } } } } }');
      expect(reply.status).toBe(400);
      expect(first(reply)?.extensions).toMatchObject({ code: 'QUERY_TOO_DEEP', limit: 4, actual: 6 });
      expect(reply.body.data).toBeUndefined();
    } finally {
      await deep.dispose();
    }
  });

  it('refuses nested pages that multiply past the cost limit with QUERY_TOO_COSTLY', async () => {
    const reply = await h.gql('{ tasks(first: 200) { nodes { timeline(first: 200) { nodes { eventId } } } } }');
    expect(reply.status).toBe(400);
    expect(first(reply)?.extensions).toMatchObject({ code: 'QUERY_TOO_COSTLY', limit: 5000 });
  });

  it('keeps introspection on for tooling', async () => {
    const reply = await h.gql('{ __schema { queryType { name } } __type(name: "Task") { fields { name } } }');
    expect(reply.body.data?.__schema).toEqual({ queryType: { name: 'Query' } });
  });
});

describe('gateway HTTP surface', () => {
  it('is live on /healthz and ready on /readyz while NATS answers, reporting Postgres', async () => {
    const base = h.gateway.url.replace(/\/graphql$/, '');
    expect(await (await fetch(`${base}/healthz`)).json()).toEqual({ status: 'ok', service: 'gateway' });
    const ready = await fetch(`${base}/readyz`);
    expect(ready.status).toBe(200);
    const report = (await ready.json()) as { checks: Record<string, { ok: boolean }> };
    expect(report.checks.nats?.ok).toBe(true);
    expect(report.checks.postgres?.ok).toBe(true);
  });

  it('allows a localhost page by CORS and turns away other origins', async () => {
    const preflight = await fetch(h.gateway.url, { method: 'OPTIONS', headers: { origin: 'http://localhost:5173' } });
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get('access-control-allow-origin')).toBe('http://localhost:5173');
    expect(preflight.headers.get('access-control-allow-headers')).toContain('authorization');
    const foreign = await fetch(h.gateway.url, { method: 'OPTIONS', headers: { origin: 'https://evil.example' } });
    expect(foreign.status).toBe(403);
    expect(foreign.headers.get('access-control-allow-origin')).toBeNull();
  });
});
