import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createClient, type Client } from 'graphql-ws';
import WebSocket from 'ws';
import { startGatewayHarness, type GatewayHarness } from '../../test/gateway-harness.js';

let h: GatewayHarness;
const clients: Client[] = [];
beforeAll(async () => {
  h = await startGatewayHarness('gwws', { env: { GATEWAY_MAX_DEPTH: '4' } });
});
afterAll(async () => {
  await Promise.all(clients.map((c) => c.dispose()));
  await h?.dispose();
});

function client(token: string): Client {
  const c = createClient({
    url: h.gateway.url.replace(/^http/, 'ws'),
    webSocketImpl: WebSocket,
    connectionParams: { authorization: `Bearer ${token}` },
    retryAttempts: 0,
  });
  clients.push(c);
  return c;
}

/** Runs one operation over the socket and returns its result, or the errors it was refused with. */
function run(
  c: Client,
  query: string,
  variables?: Record<string, unknown>,
): Promise<{ data?: unknown; errors?: Array<{ message: string; extensions?: Record<string, unknown> }> }> {
  return new Promise((resolve) => {
    let result: { data?: unknown; errors?: Array<{ message: string; extensions?: Record<string, unknown> }> } = {};
    c.subscribe(
      { query, ...(variables ? { variables } : {}) },
      {
        next: (value) => (result = value as typeof result),
        error: (errors) => resolve({ errors: errors as typeof result.errors }),
        complete: () => resolve(result),
      },
    );
  });
}

describe('operations over graphql-ws', () => {
  it('runs a query with the socket’s token', async () => {
    const result = await run(client(h.adminToken), '{ templates { id } }');
    expect(result.data).toEqual({ templates: expect.arrayContaining([{ id: 'dependency-report' }]) });
  });

  it('applies the same limits and error codes as over HTTP', async () => {
    const c = client(h.adminToken);
    const deep = await run(c, '{ tasks(first: 1) { nodes { pullRequest { reviews { comments { body } } } } } }');
    expect(deep.errors?.[0]?.extensions).toMatchObject({ code: 'QUERY_TOO_DEEP', limit: 4 });
    const wrongType = await run(c, 'query ($n: Int) { tasks(first: $n) { totalCount } }', { n: 'many' });
    expect(wrongType.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    expect(wrongType.errors?.[0]?.message).toContain('Variable "$n" got invalid value "many"');
    const invalid = await run(c, '{ tasks { nope } }');
    expect(invalid.errors?.[0]?.extensions?.code).toBe('GRAPHQL_VALIDATION_FAILED');
    const unparsable = await run(c, '{ tasks {');
    expect(unparsable.errors?.[0]?.extensions?.code).toBe('GRAPHQL_PARSE_FAILED');
  });

  it('checks each operation against the socket token’s scopes', async () => {
    const read = await h.tokenWith('read');
    const result = await run(client(read), 'mutation { revokeApiToken(id: "x") }');
    const error = result.errors?.[0];
    expect(error?.extensions?.code).toBe('FORBIDDEN');
    expect(error?.message).toContain('needs the "admin" scope');
  });
});
