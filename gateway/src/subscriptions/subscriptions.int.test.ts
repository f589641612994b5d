import { afterEach, describe, expect, it } from 'vitest';
import { randomUUID } from 'node:crypto';
import { jetstreamManager } from '@nats-io/jetstream';
import type { Client, FormattedExecutionResult } from 'graphql-ws';
import { create, RunStartedSchema, TaskPriorityChangedSchema } from '@cohort/contracts';
import { PostgresReadModel } from '@cohort/projections';
import { createTestDatabase, natsTestContext, waitFor, type NatsTestContext, type TestDatabase } from '@cohort/testing';
import { createSubscriptionResolvers } from './index.js';
import { createTaskWithRuns, runLogPublisher, startLiveGateway, type LiveGateway } from './live-gateway-fixture.js';

interface LogLineResult {
  readonly taskLogs: { taskId: string; runId: string; seq: number; stream: string; text: string; at: string };
}

const TASK_LOGS = `subscription ($taskId: ID!, $runId: ID!, $fromSeq: Int) {
  taskLogs(taskId: $taskId, runId: $runId, fromSeq: $fromSeq) { taskId runId seq stream text at }
}`;
const TASK_EVENTS = `subscription ($taskId: ID!, $fromVersion: Int) {
  taskEvents(taskId: $taskId, fromVersion: $fromVersion) { position eventId type version occurredAt runId summary data }
}`;

describe('live subscriptions through graphql-ws', () => {
  let ctx: NatsTestContext;
  let db: TestDatabase;
  let readModel: PostgresReadModel;
  let live: LiveGateway;
  afterEach(async () => {
    await live?.close();
    await readModel?.close();
    await ctx.dispose();
    await db?.dispose();
  });

  async function setUp(): Promise<void> {
    ctx = await natsTestContext({ label: 'subs' });
    db = await createTestDatabase('subs');
    readModel = new PostgresReadModel({ databaseUrl: db.url, nc: ctx.nc, topology: ctx.topology });
    live = await startLiveGateway({ nc: ctx.nc, topology: ctx.topology, natsUrl: ctx.url, readModel });
  }

  /** Results of one subscription until `count` arrived (then it is completed), or until the server ends it. */
  async function collect<T>(
    client: Client,
    query: string,
    variables: Record<string, unknown>,
    count: number,
  ): Promise<FormattedExecutionResult<T>[]> {
    const results: FormattedExecutionResult<T>[] = [];
    for await (const result of client.iterate({ query, variables })) {
      results.push(result as FormattedExecutionResult<T>);
      if (results.length >= count) break;
    }
    return results;
  }

  async function consumersOn(stream: string): Promise<number> {
    return (await (await jetstreamManager(ctx.nc)).streams.info(stream)).state.consumer_count;
  }

  const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, k) => from + k);

  it('streams a run log: stored history, then live lines published at the boundary, with no gap and no duplicate', async () => {
    await setUp();
    await createTaskWithRuns(live.events, 'task-1', ['task-1-r1']);
    const publish = runLogPublisher(ctx.nc, ctx.topology, 'task-1', 'task-1-r1');
    for (let seq = 1; seq <= 150; seq++) await publish(seq);
    const other = runLogPublisher(ctx.nc, ctx.topology, 'task-1', 'task-1-r2');
    // The agent keeps writing while the client subscribes, so lines land during the switch from history to live.
    const publishing = (async () => {
      for (let seq = 151; seq <= 500; seq++) {
        await publish(seq);
        if (seq % 10 === 0) await other(seq / 10);
      }
    })();
    const results = await collect<LogLineResult>(live.client(), TASK_LOGS, { taskId: 'task-1', runId: 'task-1-r1' }, 500);
    await publishing;
    expect(results.every((result) => result.errors === undefined)).toBe(true);
    const lines = results.map((result) => result.data!.taskLogs);
    expect(lines.map((line) => line.seq)).toEqual(range(1, 500));
    expect(lines[499]).toMatchObject({ taskId: 'task-1', runId: 'task-1-r1', seq: 500, stream: 'stdout', text: 'line 500' });
    expect(Number.isNaN(Date.parse(lines[0]!.at))).toBe(false);
  });

  it('resumes after a disconnect from the last seq received and releases the first consumer', async () => {
    await setUp();
    await createTaskWithRuns(live.events, 'task-2', ['task-2-r1']);
    const publish = runLogPublisher(ctx.nc, ctx.topology, 'task-2', 'task-2-r1');
    for (let seq = 1; seq <= 40; seq++) await publish(seq);

    const first = live.client();
    const before = (await collect<LogLineResult>(first, TASK_LOGS, { taskId: 'task-2', runId: 'task-2-r1' }, 25)).map(
      (r) => r.data!.taskLogs.seq,
    );
    await first.dispose();
    await waitFor('the log consumer of the closed socket to be deleted', async () =>
      (await consumersOn(ctx.topology.streams.logs)) === 0 ? true : undefined,
    );

    for (let seq = 41; seq <= 60; seq++) await publish(seq);
    const after = (
      await collect<LogLineResult>(live.client(), TASK_LOGS, { taskId: 'task-2', runId: 'task-2-r1', fromSeq: before.at(-1) }, 35)
    ).map((r) => r.data!.taskLogs.seq);
    expect([...before, ...after]).toEqual(range(1, 60));
  });

  it('answers NOT_FOUND for a task or a run that does not exist', async () => {
    await setUp();
    await createTaskWithRuns(live.events, 'task-3', ['task-3-r1']);
    const client = live.client();
    const [unknownTask] = await collect(client, TASK_LOGS, { taskId: 'no-such-task', runId: 'r' }, 1);
    expect(unknownTask!.errors).toEqual([
      expect.objectContaining({ message: 'no task has id "no-such-task"', extensions: expect.objectContaining({ code: 'NOT_FOUND' }) }),
    ]);
    const [unknownRun] = await collect(client, TASK_LOGS, { taskId: 'task-3', runId: 'task-3-r9' }, 1);
    expect(unknownRun!.errors?.[0]).toMatchObject({
      message: 'task "task-3" has no run "task-3-r9"; its runs are "task-3-r1"',
      extensions: { code: 'NOT_FOUND' },
    });
    const [unknownEvents] = await collect(client, TASK_EVENTS, { taskId: 'no-such-task' }, 1);
    expect(unknownEvents!.errors?.[0]).toMatchObject({ extensions: { code: 'NOT_FOUND' } });
    const [badId] = await collect(client, TASK_LOGS, { taskId: 'a.b', runId: 'r' }, 1);
    expect(badId!.errors?.[0]).toMatchObject({ extensions: { code: 'BAD_USER_INPUT', field: 'taskId' } });
    expect(await consumersOn(ctx.topology.streams.logs)).toBe(0);
  });

  it('replays a task’s events after fromVersion, then streams new ones as timeline entries', async () => {
    await setUp();
    await createTaskWithRuns(live.events, 'task-4', ['task-4-r1']);
    const client = live.client();
    interface Entry {
      readonly taskEvents: { position: string; type: string; version: number; runId: string | null; summary: string; data: unknown };
    }
    const received: Entry['taskEvents'][] = [];
    const done = (async () => {
      for await (const result of client.iterate({ query: TASK_EVENTS, variables: { taskId: 'task-4', fromVersion: 1 } })) {
        received.push((result.data as unknown as Entry).taskEvents);
        if (received.length >= 3) break;
      }
    })();
    await waitFor('the stored event after fromVersion', () => (received.length >= 1 ? true : undefined));
    await live.events.append(
      { type: 'task', id: 'task-4' },
      [{ id: randomUUID(), type: 'RunStarted', data: create(RunStartedSchema, { runId: 'task-4-r1', workspaceId: 'ws-1' }) }],
      { expectedVersion: 2 },
    );
    await live.events.append(
      { type: 'task', id: 'task-4' },
      [{ id: randomUUID(), type: 'TaskPriorityChanged', data: create(TaskPriorityChangedSchema, { priority: 3, by: 'ana' }) }],
      { expectedVersion: 3 },
    );
    await done;
    expect(received.map(({ type, version, runId, summary }) => ({ type, version, runId, summary }))).toEqual([
      { type: 'RunScheduled', version: 2, runId: 'task-4-r1', summary: 'run task-4-r1 scheduled (initial)' },
      { type: 'RunStarted', version: 3, runId: 'task-4-r1', summary: 'run task-4-r1 started' },
      { type: 'TaskPriorityChanged', version: 4, runId: null, summary: 'priority changed to 3 by ana' },
    ]);
    expect(received[2]!.data).toEqual({ priority: 3, by: 'ana' });
    const positions = received.map((entry) => Number(entry.position));
    expect(positions.every((p, i) => typeof received[i]!.position === 'string' && (i === 0 || p > positions[i - 1]!))).toBe(true);
    await waitFor('the event consumer to be released', async () =>
      (await consumersOn(ctx.topology.streams.events)) === 0 ? true : undefined,
    );
  });

  it('pages a run log for Task.logs, the latest run when none is named', async () => {
    await setUp();
    await createTaskWithRuns(live.events, 'task-5', ['task-5-r1', 'task-5-r2']);
    const first = runLogPublisher(ctx.nc, ctx.topology, 'task-5', 'task-5-r1');
    const second = runLogPublisher(ctx.nc, ctx.topology, 'task-5', 'task-5-r2');
    for (let seq = 1; seq <= 5; seq++) await first(seq, `first ${seq}`);
    for (let seq = 1; seq <= 3; seq++) await second(seq, `second ${seq}`);
    const { taskLogsPage } = createSubscriptionResolvers({ nc: ctx.nc, topology: ctx.topology, readModel, events: live.events });

    const latest = await taskLogsPage({ taskId: 'task-5', runId: undefined, fromSeq: 1, limit: 10 });
    expect(latest).toMatchObject({ runId: 'task-5-r2', lastSeq: 3, hasMore: false });
    expect(latest.lines.map((line) => line.text)).toEqual(['second 2', 'second 3']);
    const page = await taskLogsPage({ taskId: 'task-5', runId: 'task-5-r1', fromSeq: 0, limit: 2 });
    expect(page).toMatchObject({ runId: 'task-5-r1', lastSeq: 2, hasMore: true });
    await createTaskWithRuns(live.events, 'task-6', []);
    expect(await taskLogsPage({ taskId: 'task-6', runId: undefined, fromSeq: 0, limit: 10 })).toEqual({
      runId: null,
      lines: [],
      lastSeq: 0,
      hasMore: false,
    });
    await expect(taskLogsPage({ taskId: 'task-5', runId: 'task-5-r7', fromSeq: 0, limit: 10 })).rejects.toMatchObject({
      extensions: { code: 'NOT_FOUND' },
    });
  });

  it('releases every consumer when the socket closes mid-stream', async () => {
    await setUp();
    await createTaskWithRuns(live.events, 'task-7', ['task-7-r1']);
    await runLogPublisher(ctx.nc, ctx.topology, 'task-7', 'task-7-r1')(1);
    const client = live.client();
    const sink = { next: () => undefined, error: () => undefined, complete: () => undefined };
    client.subscribe({ query: TASK_LOGS, variables: { taskId: 'task-7', runId: 'task-7-r1', fromSeq: 1 } }, sink);
    client.subscribe({ query: TASK_EVENTS, variables: { taskId: 'task-7', fromVersion: 2 } }, sink);
    await waitFor('both subscriptions to have consumers', async () =>
      (await consumersOn(ctx.topology.streams.logs)) === 1 && (await consumersOn(ctx.topology.streams.events)) === 1 ? true : undefined,
    );
    await client.dispose();
    await waitFor('the consumers to be deleted', async () =>
      (await consumersOn(ctx.topology.streams.logs)) === 0 && (await consumersOn(ctx.topology.streams.events)) === 0 ? true : undefined,
    );
  });
});
