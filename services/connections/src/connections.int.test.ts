import { randomBytes } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { jetstreamManager } from '@nats-io/jetstream';
import { CommandErrorCode, DeleteSecretSchema, ResolveForRunSchema, SetSecretSchema } from '@cohort/contracts';
import { JetStreamEventStore } from '@cohort/eventstore';
import { CommandClient, type CommandResult } from '@cohort/messaging';
import { JsonLogger } from '@cohort/platform';
import { natsTestContext, type NatsTestContext } from '@cohort/testing';
import { startConnections, type RunningService } from './start-connections.js';

const SECRETS = {
  globalToken: 'tok-global-8f3a1c9e',
  webToken: 'tok-web-77d2e9b4',
  dbPassword: 'pw-31415926-zz',
  wrongTyped: 987654321,
  badName: 'leak-name-5511aa',
  badScope: 'leak-scope-6622bb',
  extraField: 'leak-extra-7733cc',
  badRepoScope: 'leak-repo-8844dd',
};
const SECRET_TEXTS = Object.values(SECRETS).map(String);

let ctx: NatsTestContext;
let service: RunningService;
let client: CommandClient;
const logs: string[] = [];
/** Everything the service answered with an error, as the caller received it. */
const errorReplies: string[] = [];

beforeEach(async () => {
  ctx = await natsTestContext({ label: 'connections' });
  logs.length = 0;
  errorReplies.length = 0;
  // No redactor on this logger: the test proves the service never logs a value, not that masking works.
  const logger = new JsonLogger('connections', { level: 'verbose', write: (line) => logs.push(line) });
  service = await startConnections(
    { natsUrl: ctx.url, namespace: ctx.topology.namespace, healthPort: undefined, secretsKey: randomBytes(32) },
    { logger },
  );
  client = new CommandClient(ctx.nc, ctx.topology);
});
afterEach(async () => {
  await service.close();
  await ctx.dispose();
});

async function send(command: 'SetSecret' | 'DeleteSecret' | 'ResolveForRun', init: Record<string, unknown>): Promise<CommandResult> {
  const schema = { SetSecret: SetSecretSchema, DeleteSecret: DeleteSecretSchema, ResolveForRun: ResolveForRunSchema }[command];
  const result = await client.send('connections', command, schema, init as never);
  if (!result.ok) errorReplies.push(JSON.stringify(result.error));
  return result;
}

/** Sends raw JSON, as a client in another language might; returns the reply body as text. */
async function sendRaw(command: string, json: string): Promise<string> {
  const reply = await ctx.nc.request(ctx.topology.command('connections', command), new TextEncoder().encode(json), { timeout: 5000 });
  const text = new TextDecoder().decode(reply.data);
  if (text.includes('"error"')) errorReplies.push(text);
  return text;
}

/** Every message of a stream, body and headers, as text. */
async function streamText(stream: string): Promise<{ text: string; count: number }> {
  const jsm = await jetstreamManager(ctx.nc);
  const info = await jsm.streams.info(stream);
  let text = '';
  let count = 0;
  for (let seq = info.state.first_seq; info.state.messages > 0 && seq <= info.state.last_seq; seq++) {
    const msg = await jsm.streams.getMessage(stream, { seq }).catch(() => null);
    if (!msg) continue;
    count++;
    text += `${msg.subject}\n${new TextDecoder().decode(msg.data)}\n`;
    for (const [name, values] of msg.header ?? []) text += `${name}: ${values.join(',')}\n`;
  }
  return { text, count };
}

describe('connections: secrets', () => {
  it('keeps every secret value out of events, dead letters, logs and error replies; only ResolveForRun returns them', async () => {
    expect(await send('SetSecret', { name: 'API_TOKEN', value: SECRETS.globalToken })).toMatchObject({
      ok: true,
      value: { aggregateId: 'global-API_TOKEN' },
    });
    expect(await send('SetSecret', { name: 'API_TOKEN', value: SECRETS.webToken, scope: 'repo:web' })).toMatchObject({
      ok: true,
      value: { aggregateId: 'repo-web-API_TOKEN' },
    });
    expect((await send('SetSecret', { name: 'DB_PASSWORD', value: SECRETS.dbPassword })).ok).toBe(true);

    // Every way to get a SetSecret wrong, each carrying a value that must not come back.
    const wrongType = await sendRaw('SetSecret', JSON.stringify({ name: 'X', value: SECRETS.wrongTyped }));
    expect(wrongType).toContain('COMMAND_ERROR_CODE_VALIDATION');
    expect(wrongType).toContain('"field":"value"');
    expect(await send('SetSecret', { name: 'BAD-NAME', value: SECRETS.badName })).toMatchObject({
      ok: false,
      error: { code: CommandErrorCode.VALIDATION, field: 'name' },
    });
    expect(await send('SetSecret', { name: 'OK', value: SECRETS.badScope, scope: 'team:x' })).toMatchObject({
      ok: false,
      error: { code: CommandErrorCode.VALIDATION, field: 'scope', message: expect.stringContaining('use "global" or "repo:<repoId>"') },
    });
    expect(await send('SetSecret', { name: 'OK', value: SECRETS.badRepoScope, scope: 'repo:a.b' })).toMatchObject({
      ok: false,
      error: { code: CommandErrorCode.VALIDATION, field: 'scope' },
    });
    const extra = await sendRaw('SetSecret', JSON.stringify({ name: 'X', value: SECRETS.extraField, extra: 1 }));
    expect(extra).toContain('unknown field \\"extra\\"');
    expect(await sendRaw('SetSecret', JSON.stringify({ name: 'X' }))).toContain('required field \\"value\\"');

    const forWeb = await send('ResolveForRun', { taskId: 't1', runId: 'r1', repoId: 'web' });
    expect(forWeb.ok && forWeb.value.runEnv?.env).toEqual({ API_TOKEN: SECRETS.webToken, DB_PASSWORD: SECRETS.dbPassword });
    const standalone = await send('ResolveForRun', { taskId: 't2', runId: 'r2' });
    expect(standalone.ok && standalone.value.runEnv?.env).toEqual({ API_TOKEN: SECRETS.globalToken, DB_PASSWORD: SECRETS.dbPassword });
    expect(await send('ResolveForRun', { taskId: 't3', runId: 'r3', repoId: 'a.b' })).toMatchObject({
      ok: false,
      error: { code: CommandErrorCode.VALIDATION, field: 'repoId' },
    });

    expect((await send('DeleteSecret', { name: 'DB_PASSWORD' })).ok).toBe(true);
    expect(await send('DeleteSecret', { name: 'DB_PASSWORD' })).toMatchObject({
      ok: false,
      error: { code: CommandErrorCode.NOT_FOUND, message: 'secret "DB_PASSWORD" is not set in scope global' },
    });
    const afterDelete = await send('ResolveForRun', { taskId: 't1', runId: 'r4', repoId: 'web' });
    expect(afterDelete.ok && afterDelete.value.runEnv?.env).toEqual({ API_TOKEN: SECRETS.webToken });

    // The events record names, scopes and revisions.
    const store = await JetStreamEventStore.create({ nc: ctx.nc, topology: ctx.topology });
    const { events } = await store.read({ type: 'secret', id: 'global-DB_PASSWORD' });
    expect(events.map((e) => e.type)).toEqual(['SecretSet', 'SecretDeleted']);
    expect(events[0]).toMatchObject({ data: { name: 'DB_PASSWORD', scope: 'global' } });
    expect((events[0]!.data as { revision: number }).revision).toBeGreaterThan(0);

    const eventLog = await streamText(ctx.topology.streams.events);
    const deadLetters = await streamText(ctx.topology.streams.dlq);
    expect(eventLog.count).toBe(4);
    expect(logs.length).toBeGreaterThan(0);
    expect(errorReplies.length).toBe(8);
    const written = { events: eventLog.text, deadLetters: deadLetters.text, logs: logs.join('\n'), errorReplies: errorReplies.join('\n') };
    for (const [where, text] of Object.entries(written)) {
      for (const secret of SECRET_TEXTS) expect(text.includes(secret), `${where} contains a secret value`).toBe(false);
    }
  });
});
