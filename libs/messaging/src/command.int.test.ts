import { afterEach, describe, expect, it } from 'vitest';
import { CancelTaskSchema, CommandErrorCode, CommandReplySchema, CreateTaskSchema, TaskKind, decodeJson } from '@cohort/contracts';
import { natsTestContext, type NatsTestContext } from '@cohort/testing';
import { CommandClient } from './command-client.js';
import { CommandFailure } from './command-failure.js';
import { CommandServer } from './command-server.js';
import { currentMessageContext, type MessageContext } from './message-context.js';
import { parseTraceparent } from './trace-context.js';
import { sleep } from './messaging-test-fixtures.js';

const cleanups: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function setup(): Promise<{ ctx: NatsTestContext; server: CommandServer; client: CommandClient }> {
  const ctx = await natsTestContext({ label: 'cmd' });
  cleanups.push(() => ctx.dispose());
  const server = new CommandServer(ctx.nc, ctx.topology, { service: 'intake' });
  cleanups.push(() => server.close());
  return { ctx, server, client: new CommandClient(ctx.nc, ctx.topology) };
}

const createTask = { kind: TaskKind.STANDALONE, title: 'Summarise the week', agent: 'scripted', taskId: 't-1' };

describe('commands over request/reply', () => {
  it('replies with the accepted result of the handler', async () => {
    const { server, client } = await setup();
    server.handle('CreateTask', CreateTaskSchema, (command) => ({ aggregateId: command.taskId, eventIds: ['e-1'], position: '42' }));
    server.listen();
    const result = await client.send('intake', 'CreateTask', CreateTaskSchema, createTask);
    expect(result.ok).toBe(true);
    expect(
      result.ok && { aggregateId: result.value.aggregateId, eventIds: result.value.eventIds, position: result.value.position },
    ).toEqual({
      aggregateId: 't-1',
      eventIds: ['e-1'],
      position: '42',
    });
  });

  it('replies VALIDATION naming the field when the command does not decode strictly', async () => {
    const { ctx, server, client } = await setup();
    let called = false;
    server.handle('CreateTask', CreateTaskSchema, () => {
      called = true;
      return { aggregateId: 'x' };
    });
    server.listen();
    const missing = await client.send('intake', 'CreateTask', CreateTaskSchema, { ...createTask, title: '' });
    expect(missing).toMatchObject({ ok: false, error: { code: CommandErrorCode.VALIDATION, field: 'title' } });

    const raw = await ctx.nc.request(
      ctx.topology.command('intake', 'CreateTask'),
      JSON.stringify({ kind: 'TASK_KIND_STANDALONE', title: 't', priority: 'high' }),
    );
    const reply = decodeJson(CommandReplySchema, raw.data);
    expect(reply.ok && reply.value.result.case === 'error' && reply.value.result.value).toMatchObject({
      code: CommandErrorCode.VALIDATION,
      field: 'priority',
    });
    expect(called).toBe(false);
  });

  it('passes a CommandFailure from the handler on as its typed error', async () => {
    const { server, client } = await setup();
    server.handle('CancelTask', CancelTaskSchema, (command) => {
      throw CommandFailure.notFound(`task "${command.taskId}" does not exist`);
    });
    server.listen();
    const result = await client.send('intake', 'CancelTask', CancelTaskSchema, { taskId: 't-404' });
    expect(result).toMatchObject({ ok: false, error: { code: CommandErrorCode.NOT_FOUND, message: 'task "t-404" does not exist' } });
  });

  it('hides an unexpected handler error behind INTERNAL with the correlation id', async () => {
    const { server, client } = await setup();
    server.handle('CancelTask', CancelTaskSchema, () => {
      throw new Error('password=hunter2 rejected by database');
    });
    server.listen();
    const result = await client.send('intake', 'CancelTask', CancelTaskSchema, { taskId: 't-1' }, { correlationId: 'corr-77' });
    expect(result).toMatchObject({ ok: false, error: { code: CommandErrorCode.INTERNAL, correlationId: 'corr-77' } });
    expect(!result.ok && result.error.message).toContain('corr-77');
    expect(!result.ok && result.error.message).not.toContain('hunter2');
  });

  it('gives UNAVAILABLE when the service answers too late or nobody listens', async () => {
    const { server, client } = await setup();
    server.handle('CancelTask', CancelTaskSchema, async () => {
      await sleep(500);
      return { aggregateId: 't-1' };
    });
    server.listen();
    const late = await client.send('intake', 'CancelTask', CancelTaskSchema, { taskId: 't-1' }, { timeoutMs: 100 });
    expect(late).toMatchObject({ ok: false, error: { code: CommandErrorCode.UNAVAILABLE } });
    expect(!late.ok && late.error.message).toMatch(/^service intake unavailable/);
    const nobody = await client.send('pr-watcher', 'CancelTask', CancelTaskSchema, { taskId: 't-1' }, { timeoutMs: 1000 });
    expect(nobody).toMatchObject({ ok: false, error: { code: CommandErrorCode.UNAVAILABLE } });
    expect(!nobody.ok && nobody.error.message).toMatch(/^service pr-watcher unavailable/);
  });

  it('carries the traceparent and correlation id to the handler', async () => {
    const { server, client } = await setup();
    let seen: MessageContext | undefined;
    server.handle('CancelTask', CancelTaskSchema, async () => {
      await sleep(1);
      seen = currentMessageContext();
      return { aggregateId: 't-1' };
    });
    server.listen();
    const parent = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01';
    const result = await client.send(
      'intake',
      'CancelTask',
      CancelTaskSchema,
      { taskId: 't-1' },
      { traceparent: parent, correlationId: 'corr-9' },
    );
    expect(result.ok).toBe(true);
    const received = parseTraceparent(seen?.traceparent);
    expect(received?.traceId).toBe('4bf92f3577b34da6a3ce929d0e0e4736');
    expect(received?.spanId).not.toBe('00f067aa0ba902b7');
    expect(seen?.correlationId).toBe('corr-9');
    expect(seen?.subject).toMatch(/\.cmd\.intake\.CancelTask$/);
  });

  it('shares requests between replicas of a service through its queue group', async () => {
    const { ctx, server, client } = await setup();
    const second = new CommandServer(ctx.nc, ctx.topology, { service: 'intake' });
    cleanups.push(() => second.close());
    const handledBy: string[] = [];
    server.handle('CancelTask', CancelTaskSchema, () => (handledBy.push('a'), { aggregateId: 't' })).listen();
    second.handle('CancelTask', CancelTaskSchema, () => (handledBy.push('b'), { aggregateId: 't' })).listen();
    for (let i = 0; i < 40; i++) expect((await client.send('intake', 'CancelTask', CancelTaskSchema, { taskId: 't' })).ok).toBe(true);
    expect(handledBy).toHaveLength(40);
    expect(new Set(handledBy)).toEqual(new Set(['a', 'b']));
  });
});
