import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Kvm } from '@nats-io/kv';
import WebSocket from 'ws';
import { startGatewayHarness, type GatewayHarness } from '../../test/gateway-harness.js';
import { hashToken } from './api-token.js';

let h: GatewayHarness;
beforeAll(async () => {
  h = await startGatewayHarness('gwauth');
});
afterAll(async () => {
  await h?.dispose();
});

/** Opens a graphql-ws socket, sends connection_init with this payload, and reports how the server answered. */
function connectWs(payload: Record<string, unknown>): Promise<{ acked: boolean; code?: number; reason?: string }> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(h.gateway.url.replace(/^http/, 'ws'), 'graphql-transport-ws');
    socket.on('error', reject);
    socket.on('open', () => socket.send(JSON.stringify({ type: 'connection_init', payload })));
    socket.on('message', (data: Buffer) => {
      if (JSON.parse(String(data)).type === 'connection_ack') {
        socket.close(1000);
        resolve({ acked: true });
      }
    });
    socket.on('close', (code: number, reason: Buffer) => resolve({ acked: false, code, reason: String(reason) }));
  });
}

describe('gateway auth over HTTP', () => {
  it('refuses a request without a token with 401 UNAUTHENTICATED saying what to send', async () => {
    const reply = await h.gql('{ templates { id } }', undefined, null);
    expect(reply.status).toBe(401);
    expect(reply.body.errors?.[0]).toMatchObject({ extensions: { code: 'UNAUTHENTICATED' } });
    expect(reply.body.errors?.[0]?.message).toContain('Authorization: Bearer <token>');
  });

  it('refuses an unknown token and a malformed header, saying which', async () => {
    const unknown = await h.gql('{ templates { id } }', undefined, 'cohort_000000000000_deadbeef');
    expect(unknown.status).toBe(401);
    expect(unknown.body.errors?.[0]?.message).toContain('never issued or has been revoked');
    const res = await fetch(h.gateway.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Token ${h.adminToken}` },
      body: '{"query":"{ templates { id } }"}',
    });
    const body = (await res.json()) as { errors: Array<{ message: string; extensions: { code: string } }> };
    expect(res.status).toBe(401);
    expect(body.errors[0]!.message).toContain('not of the form "Bearer <token>"');
    expect(JSON.stringify(body)).not.toContain(h.adminToken);
  });

  it('lets a read token query but not mutate, naming the scope needed', async () => {
    const read = await h.tokenWith('read');
    expect((await h.gql('{ templates { id } }', undefined, read)).body.data?.templates).toBeInstanceOf(Array);
    const refused = await h.gql('mutation { cancelTask(id: "t1") { id } }', undefined, read);
    expect(refused.body.errors?.[0]).toMatchObject({ extensions: { code: 'FORBIDDEN' }, path: ['cancelTask'] });
    expect(refused.body.errors?.[0]?.message).toContain('needs the "write" scope');
  });

  it('keeps secrets and tokens to admin tokens', async () => {
    const write = await h.tokenWith('write');
    for (const query of ['{ secrets { name } }', '{ apiTokens { id } }', 'mutation { deleteSecret(name: "X") { id } }']) {
      const reply = await h.gql(query, undefined, write);
      expect(reply.body.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
      expect(reply.body.errors?.[0]?.message).toContain('needs the "admin" scope');
    }
  });

  it('stores only the hash of a token, lists it without its value, and stops accepting it once revoked', async () => {
    const created = await h.gql('mutation { createApiToken(name: "ci bot", scopes: [write]) { value token { id name scopes } } }');
    const { value, token } = created.body.data!.createApiToken as { value: string; token: { id: string; name: string; scopes: string[] } };
    expect(value).toMatch(/^cohort_[0-9a-f]{12}_[0-9a-f]{64}$/);
    expect(token).toEqual({ id: value.slice(7, 19), name: 'ci bot', scopes: ['write'] });

    const kv = await new Kvm(h.ctx.nc).open(h.ctx.topology.buckets.apiTokens);
    const stored = await kv.get(hashToken(value));
    expect(stored?.string()).toContain(token.id);
    expect(stored?.string()).not.toContain(value);

    expect((await h.gql('{ templates { id } }', undefined, value)).status).toBe(200);
    const listed = await h.gql('{ apiTokens { id name scopes lastUsedAt } }');
    const tokens = listed.body.data!.apiTokens as Array<{ id: string; name: string }>;
    expect(tokens.map((t) => t.name)).toEqual(expect.arrayContaining(['local-admin', 'ci bot']));
    expect(JSON.stringify(listed.body)).not.toContain(value);

    expect((await h.gql(`mutation { revokeApiToken(id: "${token.id}") }`)).body.data).toEqual({ revokeApiToken: true });
    expect((await h.gql('{ templates { id } }', undefined, value)).status).toBe(401);
    expect((await h.gql(`mutation { revokeApiToken(id: "${token.id}") }`)).body.data).toEqual({ revokeApiToken: false });
  });

  it('refuses a token with no scope or a bad name, naming the argument', async () => {
    const empty = await h.gql('mutation { createApiToken(name: "x", scopes: []) { value } }');
    expect(empty.body.errors?.[0]?.extensions).toEqual({ code: 'BAD_USER_INPUT', field: 'scopes' });
    const badName = await h.gql('mutation { createApiToken(name: "  ", scopes: [read]) { value } }');
    expect(badName.body.errors?.[0]?.extensions).toEqual({ code: 'BAD_USER_INPUT', field: 'name' });
  });

  it('never writes a token value to the log', async () => {
    const value = await h.tokenWith('admin');
    await h.gql('{ apiTokens { id } }', undefined, value);
    await h.gql('{ templates { id } }', undefined, 'cohort_000000000000_feedface');
    const all = h.logs.join('\n');
    expect(all).not.toContain(value);
    expect(all).not.toContain(h.adminToken);
    expect(all).not.toContain('feedface');
  });
});

describe('gateway auth over WebSocket', () => {
  it('acknowledges a connection_init with a valid token', async () => {
    expect(await connectWs({ authorization: `Bearer ${h.adminToken}` })).toEqual({ acked: true });
  });

  it('closes the socket with 4401 and the reason when the token is missing or invalid', async () => {
    const missing = await connectWs({});
    expect(missing).toMatchObject({ acked: false, code: 4401 });
    expect(missing.reason).toContain('no API token given');
    const invalid = await connectWs({ authorization: 'Bearer cohort_000000000000_nope' });
    expect(invalid).toMatchObject({ acked: false, code: 4401 });
    expect(invalid.reason).toContain('not valid');
  });
});
