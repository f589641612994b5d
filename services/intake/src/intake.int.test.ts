import { randomUUID } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { jetstream } from '@nats-io/jetstream';
import { headers as natsHeaders } from '@nats-io/transport-node';
import {
  ApproveMergeSchema,
  CancelTaskSchema,
  ChangePrioritySchema,
  CommandErrorCode,
  CreateTaskSchema,
  Headers,
  PullRequestOpenedSchema,
  RegisterRepoSchema,
  RepoSettingsSchema,
  ResumeTaskSchema,
  RetryTaskSchema,
  TaskCompletedSchema,
  TaskKind,
  TaskNeedsAttentionSchema,
  TaskRequestedSchema,
  TaskSourceKind,
  UpdateRepoSchema,
  create,
  encodeJson,
  type MessageInitShape,
} from '@cohort/contracts';
import { JetStreamEventStore } from '@cohort/eventstore';
import { waitFor } from '@cohort/testing';
import { taskIdForRequest } from './inbound/task-requested.controller.js';
import { TicketCloser } from './tasks/ticket-closer.js';
import {
  appendToTask,
  consumerIdle,
  deadLetters,
  startIntakeForTest,
  taskHistory,
  type IntakeTestContext,
} from '../test/intake-harness.js';

let t: IntakeTestContext;
beforeEach(async () => {
  t = await startIntakeForTest('intake');
});
afterEach(async () => {
  await t.dispose();
});

type RepoSettingsInit = Omit<MessageInitShape<typeof RepoSettingsSchema>, '$typeName'>;

function registerRepo(settings: Partial<RepoSettingsInit> = {}, repoId = '') {
  return t.client.send('intake', 'RegisterRepo', RegisterRepoSchema, {
    repoId,
    settings: create(RepoSettingsSchema, {
      name: 'acme/web',
      url: t.repoDir,
      ciCommand: 'npm test',
      setupCommands: ['npm ci'],
      ...settings,
    }),
  });
}

function createTask(init: MessageInitShape<typeof CreateTaskSchema>, correlationId?: string) {
  return t.client.send('intake', 'CreateTask', CreateTaskSchema, init, correlationId ? { correlationId } : {});
}

async function createRepoTask(taskId: string) {
  const created = await createTask({ taskId, kind: TaskKind.REPO, repoId: 'acme-web', title: 'Fix the login', prompt: 'Fix it' });
  expect(created.ok).toBe(true);
}

describe('intake: repositories', () => {
  it('registers a repo under an id derived from its name, with defaults filled in', async () => {
    const reply = await registerRepo();
    expect(reply).toMatchObject({ ok: true, value: { aggregateId: 'acme-web' } });
    expect(reply.ok && reply.value.eventIds).toHaveLength(1);
    expect(reply.ok && Number(reply.value.position)).toBeGreaterThan(0);
    const { events } = await t.store.read({ type: 'repo', id: 'acme-web' });
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({
      type: 'RepoRegistered',
      data: { repoId: 'acme-web', settings: { name: 'acme/web', defaultBranch: 'main' } },
    });
  });

  it('accepts the same registration twice once, and refuses a second repo with the same name as CONFLICT', async () => {
    expect((await registerRepo()).ok).toBe(true);
    expect(await registerRepo()).toMatchObject({ ok: true, value: { aggregateId: 'acme-web', eventIds: [] } });
    expect(await registerRepo({ ciCommand: 'make test' })).toMatchObject({ ok: false, error: { code: CommandErrorCode.CONFLICT } });
    const other = await registerRepo({}, 'web-two');
    expect(other).toMatchObject({ ok: false, error: { code: CommandErrorCode.CONFLICT, message: expect.stringContaining('"acme/web"') } });
  });

  it.each([
    [{ url: '/nowhere/such/repo' }, 'settings.url', 'does not exist'],
    [{ url: 'relative/path' }, 'settings.url', 'git URL'],
    [{ defaultBranch: 'bad..branch' }, 'settings.defaultBranch', 'bad..branch'],
    [{ name: '../x' }, 'settings.name', '"../x"'],
    [{ setupCommands: ['npm ci', ' '] }, 'settings.setupCommands[1]', 'empty'],
    [{ maxConcurrency: 1000 }, 'settings.maxConcurrency', '1000'],
    [{ defaultTemplate: 'nope' }, 'settings.defaultTemplate', 'known templates: dependency-report'],
    [{ policy: { autoMerge: true, cautious: true } }, 'settings.policy.autoMerge', 'contradict'],
  ])('refuses invalid settings %j as VALIDATION naming %s', async (settings, field, message) => {
    const reply = await registerRepo(settings as Partial<RepoSettingsInit>);
    expect(reply).toMatchObject({
      ok: false,
      error: { code: CommandErrorCode.VALIDATION, field, message: expect.stringContaining(message) },
    });
  });

  it('accepts a git URL and infers the GitHub forge from it', async () => {
    const reply = await registerRepo({ name: 'acme/api', url: 'https://github.com/acme/api.git' });
    expect(reply.ok).toBe(true);
    const { events } = await t.store.read({ type: 'repo', id: 'acme-api' });
    expect(events[0]).toMatchObject({ data: { settings: { forge: 2 } } });
  });

  it('updates a registered repo and says NOT_FOUND for an unknown one', async () => {
    await registerRepo();
    const updated = await t.client.send('intake', 'UpdateRepo', UpdateRepoSchema, {
      repoId: 'acme-web',
      settings: { name: 'acme/web', url: t.repoDir, defaultAgent: 'codex' },
    });
    expect(updated).toMatchObject({ ok: true, value: { aggregateId: 'acme-web' } });
    const { events } = await t.store.read({ type: 'repo', id: 'acme-web' });
    expect(events.map((e) => e.type)).toEqual(['RepoRegistered', 'RepoUpdated']);
    const unknown = await t.client.send('intake', 'UpdateRepo', UpdateRepoSchema, {
      repoId: 'nope',
      settings: { name: 'nope', url: t.repoDir },
    });
    expect(unknown).toMatchObject({
      ok: false,
      error: { code: CommandErrorCode.NOT_FOUND, message: expect.stringContaining('repo "nope" is not registered') },
    });
  });
});

describe('intake: CreateTask', () => {
  beforeEach(async () => {
    expect(
      (await registerRepo({ defaultAgent: 'codex', defaultModel: 'gpt-5', defaultBranch: 'develop', policy: { approvalRequired: true } }))
        .ok,
    ).toBe(true);
  });

  it("creates a repo task with the repo's defaults and policy, carrying the command's correlation and trace", async () => {
    const correlationId = randomUUID();
    const reply = await createTask(
      { kind: TaskKind.REPO, repoId: 'acme/web', title: 'Fix the login', prompt: 'The login form fails' },
      correlationId,
    );
    expect(reply.ok).toBe(true);
    const taskId = reply.ok ? reply.value.aggregateId : '';
    const [created] = await taskHistory(t, taskId);
    expect(created).toMatchObject({
      type: 'TaskCreated',
      correlationId,
      data: {
        taskId,
        repoId: 'acme-web',
        agent: 'codex',
        model: 'gpt-5',
        baseBranch: 'develop',
        policy: { approvalRequired: true },
        maxRetries: 3,
      },
    });
    expect(created!.traceparent).toMatch(/^00-[0-9a-f]{32}-[0-9a-f]{16}-0[01]$/);
    expect(created!.causationId).not.toBe(created!.id);
    expect(reply.ok && reply.value.eventIds).toEqual([created!.id]);
  });

  it('is idempotent when the client names the task: a retried create appends nothing and answers the same', async () => {
    const init = { taskId: 'login-fix', kind: TaskKind.REPO, repoId: 'acme-web', title: 'Fix the login', prompt: 'Fix it' };
    const first = await createTask(init);
    const second = await createTask(init);
    expect(first.ok && second.ok).toBe(true);
    expect(second.ok && second.value.eventIds).toEqual(first.ok ? first.value.eventIds : []);
    expect(await taskHistory(t, 'login-fix')).toHaveLength(1);
    const different = await createTask({ ...init, title: 'Something else' });
    expect(different).toMatchObject({ ok: false, error: { code: CommandErrorCode.CONFLICT, field: 'taskId' } });
  });

  it('says NOT_FOUND for an unknown repo, with how to register it', async () => {
    const reply = await createTask({ kind: TaskKind.REPO, repoId: 'acme/mobile', title: 'x', prompt: 'y' });
    expect(reply).toMatchObject({
      ok: false,
      error: {
        code: CommandErrorCode.NOT_FOUND,
        message: 'repo "acme/mobile" is not registered; register it with registerRepo or cohort repo add',
      },
    });
  });

  it('refuses bad template params as VALIDATION naming the param', async () => {
    const reply = await createTask({
      kind: TaskKind.STANDALONE,
      title: 'Deps',
      templateId: 'dependency-report',
      params: { project: 'web', ecosystem: 'maven' },
    });
    expect(reply).toMatchObject({
      ok: false,
      error: {
        code: CommandErrorCode.VALIDATION,
        field: 'params.ecosystem',
        message: expect.stringContaining('param "ecosystem" must be one of'),
      },
    });
    const missing = await createTask({ kind: TaskKind.STANDALONE, title: 'Deps', templateId: 'dependency-report' });
    expect(missing).toMatchObject({ ok: false, error: { code: CommandErrorCode.VALIDATION, field: 'params.project' } });
  });

  it.each([
    [{ kind: TaskKind.REPO, title: 'x', prompt: 'y' }, 'repoId'],
    [{ kind: TaskKind.STANDALONE, title: ' ', prompt: 'y' }, 'title'],
    [{ kind: TaskKind.STANDALONE, title: 'x', prompt: '' }, 'prompt'],
    [{ kind: TaskKind.STANDALONE, title: 'x', prompt: 'y', taskId: 'a.b' }, 'taskId'],
    [{ kind: TaskKind.STANDALONE, title: 'x', prompt: 'y', budgetUsd: -1 }, 'budgetUsd'],
  ])('refuses %j as VALIDATION naming %s', async (init, field) => {
    expect(await createTask(init)).toMatchObject({ ok: false, error: { code: CommandErrorCode.VALIDATION, field } });
  });

  it('refuses a malformed command with the field from the decoder', async () => {
    const reply = await t.ctx.nc.request(
      t.ctx.topology.command('intake', 'CreateTask'),
      new TextEncoder().encode('{"kind":"TASK_KIND_REPO","title":7}'),
    );
    expect(new TextDecoder().decode(reply.data)).toContain('COMMAND_ERROR_CODE_VALIDATION');
  });
});

describe('intake: task commands', () => {
  beforeEach(async () => {
    expect((await registerRepo()).ok).toBe(true);
  });

  it('says NOT_FOUND for every command on an unknown task', async () => {
    const notFound = { ok: false, error: { code: CommandErrorCode.NOT_FOUND, message: 'task "ghost" does not exist' } };
    expect(await t.client.send('intake', 'CancelTask', CancelTaskSchema, { taskId: 'ghost' })).toMatchObject(notFound);
    expect(await t.client.send('intake', 'RetryTask', RetryTaskSchema, { taskId: 'ghost' })).toMatchObject(notFound);
    expect(await t.client.send('intake', 'ResumeTask', ResumeTaskSchema, { taskId: 'ghost', message: 'go' })).toMatchObject(notFound);
    expect(await t.client.send('intake', 'ApproveMerge', ApproveMergeSchema, { taskId: 'ghost' })).toMatchObject(notFound);
    expect(await t.client.send('intake', 'ChangePriority', ChangePrioritySchema, { taskId: 'ghost', priority: 2 })).toMatchObject(notFound);
  });

  it('re-reads and decides again when commands on one task race: every one lands, in order', async () => {
    await createRepoTask('race');
    const replies = await Promise.all(
      [1, 2, 3, 4, 5, 6].map((priority) => t.client.send('intake', 'ChangePriority', ChangePrioritySchema, { taskId: 'race', priority })),
    );
    expect(replies.filter((reply) => !reply.ok)).toEqual([]);
    const history = await taskHistory(t, 'race');
    expect(history.map((e) => e.version)).toEqual([1, 2, 3, 4, 5, 6, 7]);
    expect(history.filter((e) => e.type === 'TaskPriorityChanged')).toHaveLength(6);
  });

  it('changes priority and cancels, and then refuses what a cancelled task cannot do', async () => {
    await createRepoTask('t1');
    expect(await t.client.send('intake', 'ChangePriority', ChangePrioritySchema, { taskId: 't1', priority: 5 })).toMatchObject({
      ok: true,
    });
    expect(await t.client.send('intake', 'ResumeTask', ResumeTaskSchema, { taskId: 't1', message: 'go' })).toMatchObject({
      ok: false,
      error: { code: CommandErrorCode.CONFLICT, message: expect.stringContaining('is queued') },
    });
    expect(await t.client.send('intake', 'CancelTask', CancelTaskSchema, { taskId: 't1', reason: 'not needed' })).toMatchObject({
      ok: true,
    });
    // A second cancel is the same request: accepted, nothing appended.
    expect(await t.client.send('intake', 'CancelTask', CancelTaskSchema, { taskId: 't1' })).toMatchObject({
      ok: true,
      value: { eventIds: [] },
    });
    expect(await t.client.send('intake', 'RetryTask', RetryTaskSchema, { taskId: 't1' })).toMatchObject({
      ok: false,
      error: { code: CommandErrorCode.CONFLICT },
    });
    expect((await taskHistory(t, 't1')).map((e) => e.type)).toEqual(['TaskCreated', 'TaskPriorityChanged', 'TaskCancelled']);
  });

  it('retries and resumes a task that needs attention, then approves and reviews its pull request', async () => {
    await createRepoTask('t2');
    expect(await t.client.send('intake', 'ApproveMerge', ApproveMergeSchema, { taskId: 't2' })).toMatchObject({
      ok: false,
      error: { code: CommandErrorCode.CONFLICT, message: expect.stringContaining('no open pull request') },
    });
    await appendToTask(t, 't2', [
      { type: 'TaskNeedsAttention', id: randomUUID(), data: create(TaskNeedsAttentionSchema, { reason: 'stuck' }) },
    ]);
    expect(await t.client.send('intake', 'RetryTask', RetryTaskSchema, { taskId: 't2' })).toMatchObject({ ok: true });
    expect(await t.client.send('intake', 'ResumeTask', ResumeTaskSchema, { taskId: 't2', message: 'use the new API' })).toMatchObject({
      ok: true,
    });
    expect(await t.client.send('intake', 'ResumeTask', ResumeTaskSchema, { taskId: 't2', message: '  ' })).toMatchObject({
      ok: false,
      error: { code: CommandErrorCode.VALIDATION, field: 'message' },
    });
    await appendToTask(t, 't2', [
      {
        type: 'PullRequestOpened',
        id: randomUUID(),
        data: create(PullRequestOpenedSchema, { number: 7, branch: 'cohort/t2', headSha: 'abc' }),
      },
    ]);
    expect(await t.client.send('intake', 'ApproveMerge', ApproveMergeSchema, { taskId: 't2' })).toMatchObject({ ok: true });
    const types = (await taskHistory(t, 't2')).map((e) => e.type);
    expect(types).toEqual([
      'TaskCreated',
      'TaskNeedsAttention',
      'TaskRetryRequested',
      'TaskResumeRequested',
      'PullRequestOpened',
      'MergeApproved',
    ]);
  });
});

describe('intake: inbound task requests', () => {
  async function publishInbound(subject: string, body: Uint8Array, msgId: string) {
    const hdrs = natsHeaders();
    hdrs.set(Headers.correlationId, `corr-${msgId}`);
    await jetstream(t.ctx.nc).publish(subject, body, { msgID: msgId, headers: hdrs });
  }

  function request(requestId: string, repoId = 'acme-web') {
    return encodeJson(
      TaskRequestedSchema,
      create(TaskRequestedSchema, {
        requestId,
        task: {
          kind: TaskKind.REPO,
          repoId,
          title: 'Bump deps',
          prompt: 'Bump them',
          source: { kind: TaskSourceKind.GITHUB, externalId: 'acme/web#42', issueNumber: 42 },
        },
      }),
    );
  }

  it('creates a task with an id derived from the request id, once however often the request is sent', async () => {
    expect((await registerRepo()).ok).toBe(true);
    const subject = t.ctx.topology.inbound('task', 'requested');
    await publishInbound(subject, request('gh-42'), 'gh-42');
    // Sent again past the stream's duplicate window (a new message id): still one task.
    await publishInbound(subject, request('gh-42'), 'gh-42-again');
    const taskId = taskIdForRequest('gh-42');
    const history = await waitFor('the requested task', async () => {
      const events = await taskHistory(t, taskId);
      return events.length > 0 ? events : undefined;
    });
    expect(history[0]).toMatchObject({
      type: 'TaskCreated',
      correlationId: 'corr-gh-42',
      data: { repoId: 'acme-web', source: { externalId: 'acme/web#42' } },
    });
    await consumerIdle(t, t.ctx.topology.streams.inbox);
    expect(await taskHistory(t, taskId)).toHaveLength(1);
    expect(await deadLetters(t)).toHaveLength(0);
  });

  it('dead-letters malformed, unknown and unusable inbound messages with the reason', async () => {
    await publishInbound(t.ctx.topology.inbound('task', 'requested'), new TextEncoder().encode('{"requestId": "x", '), 'bad-json');
    await publishInbound(t.ctx.topology.inbound('task', 'exploded'), new TextEncoder().encode('{}'), 'bad-kind');
    await publishInbound(t.ctx.topology.inbound('task', 'requested'), request('gh-43', 'acme-unknown'), 'no-repo');
    const letters = await waitFor('three dead letters', async () => {
      const found = await deadLetters(t);
      return found.length === 3 ? found : undefined;
    });
    const byMsgId = new Map(letters.map((l) => [l.header.get(`${Headers.deadLetterOriginalHeaderPrefix}${Headers.msgId}`), l.header]));
    expect(byMsgId.get('bad-json')?.get(Headers.deadLetterReason)).toBe('decode_malformed_json');
    expect(byMsgId.get('bad-kind')?.get(Headers.deadLetterReason)).toBe('decode_unknown_event_type');
    expect(byMsgId.get('bad-kind')?.get(Headers.deadLetterError)).toContain('unknown inbound message kind "task.exploded"');
    expect(byMsgId.get('no-repo')?.get(Headers.deadLetterReason)).toBe('max_deliveries_exceeded');
    expect(byMsgId.get('no-repo')?.get(Headers.deadLetterError)).toContain('repo "acme-unknown" is not registered');
    expect(await taskHistory(t, taskIdForRequest('gh-43'))).toHaveLength(0);
  });
});

describe('intake: closing tickets', () => {
  it('appends TicketClosed exactly once after TaskCompleted, carrying the source and the correlation', async () => {
    expect((await registerRepo()).ok).toBe(true);
    const created = await createTask({
      taskId: 't3',
      kind: TaskKind.REPO,
      repoId: 'acme-web',
      title: 'Close me',
      prompt: 'Do it',
      source: { kind: TaskSourceKind.GITHUB, externalId: 'acme/web#9', issueNumber: 9 },
    });
    expect(created.ok).toBe(true);
    const completedId = randomUUID();
    await appendToTask(t, 't3', [
      { type: 'TaskNeedsAttention', id: randomUUID(), data: create(TaskNeedsAttentionSchema, { reason: 'x' }) },
      { type: 'TaskCompleted', id: completedId, correlationId: 'corr-complete', data: create(TaskCompletedSchema, { summary: 'merged' }) },
    ]);
    const closed = await waitFor('TicketClosed', async () => (await taskHistory(t, 't3')).find((e) => e.type === 'TicketClosed'));
    // The event it appended comes back to the same consumer: handling it too must leave one close.
    await consumerIdle(t, t.ctx.topology.streams.events);
    expect(closed).toMatchObject({
      correlationId: 'corr-complete',
      causationId: completedId,
      data: { source: { externalId: 'acme/web#9' } },
    });

    // A redelivered TaskCompleted, handled again by another replica, appends nothing.
    const replica = new TicketCloser(await JetStreamEventStore.create({ nc: t.ctx.nc, topology: t.ctx.topology }));
    await replica.onTaskCompleted('t3');
    await replica.onTaskCompleted('t3');
    expect((await taskHistory(t, 't3')).filter((e) => e.type === 'TicketClosed')).toHaveLength(1);
  });

  it('records the closing of a manual task', async () => {
    expect((await createTask({ taskId: 't4', kind: TaskKind.STANDALONE, title: 'Report', prompt: 'Write it' })).ok).toBe(true);
    await appendToTask(t, 't4', [
      { type: 'TaskNeedsAttention', id: randomUUID(), data: create(TaskNeedsAttentionSchema, { reason: 'x' }) },
      { type: 'TaskCompleted', id: randomUUID(), data: create(TaskCompletedSchema, { summary: 'done' }) },
    ]);
    const closed = await waitFor('TicketClosed', async () => (await taskHistory(t, 't4')).find((e) => e.type === 'TicketClosed'));
    expect(closed).toMatchObject({ data: { comment: expect.stringContaining('no external ticket') } });
  });
});
