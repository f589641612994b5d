import { afterEach, describe, expect, it } from 'vitest';
import { randomUUID } from 'node:crypto';
import type { Socket } from 'node:net';
import { jetstreamManager, type ConsumerInfo } from '@nats-io/jetstream';
import WebSocket from 'ws';
import type { Client, FormattedExecutionResult } from 'graphql-ws';
import { create, RunStartedSchema, TaskPriorityChangedSchema } from '@cohort/contracts';
import { PostgresReadModel } from '@cohort/projections';
import { createTestDatabase, natsTestContext, waitFor, type NatsTestContext, type TestDatabase } from '@cohort/testing';
import { createSubscriptionResolvers } from './index.js';
import { createTaskWithRuns, runLogPublisher, startLiveGateway, type LiveGateway } from './live-gateway-fixture.js';

interface LogChunk {
  readonly lines: { taskId: string; runId: string; seq: number; stream: string; text: string; at: string }[];
  readonly lastSeq: number;
}

const TASK_LOGS = `subscription ($taskId: ID!, $runId: ID!, $fromSeq: Int) {
  taskLogs(taskId: $taskId, runId: $runId, fromSeq: $fromSeq) { lines { taskId runId seq stream text at } lastSeq }
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

  /** The chunks of one taskLogs subscription until the line with seq `untilSeq` arrived (then it is completed). */
  async function collectLogs(client: Client, variables: Record<string, unknown>, untilSeq: number): Promise<LogChunk[]> {
    const chunks: LogChunk[] = [];
    for await (const result of client.iterate({ query: TASK_LOGS, variables })) {
      expect(result.errors).toBeUndefined();
      const chunk = (result.data as { taskLogs: LogChunk }).taskLogs;
      chunks.push(chunk);
      if (chunk.lastSeq >= untilSeq) break;
    }
    return chunks;
  }

  const seqsOf = (chunks: readonly LogChunk[]) => chunks.flatMap((chunk) => chunk.lines.map((line) => line.seq));

  /** What every chunk promises: some lines, in ascending seq, at most 500, ending at lastSeq. */
  function expectWellFormed(chunks: readonly LogChunk[]): void {
    for (const chunk of chunks) {
      expect(chunk.lines.length).toBeGreaterThan(0);
      expect(chunk.lines.length).toBeLessThanOrEqual(500);
      expect(chunk.lastSeq).toBe(chunk.lines.at(-1)!.seq);
    }
  }

  /** The one consumer on the log stream: the tail of a taskLogs subscription. */
  async function tailConsumer(): Promise<ConsumerInfo> {
    const consumers = await (await jetstreamManager(ctx.nc)).consumers.list(ctx.topology.streams.logs).next();
    expect(consumers).toHaveLength(1);
    return consumers[0]!;
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
    const chunks = await collectLogs(live.client(), { taskId: 'task-1', runId: 'task-1-r1' }, 500);
    await publishing;
    expectWellFormed(chunks);
    const lines = chunks.flatMap((chunk) => chunk.lines);
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
    const before = seqsOf(await collectLogs(first, { taskId: 'task-2', runId: 'task-2-r1' }, 25));
    await first.dispose();
    await waitFor('the log consumer of the closed socket to be deleted', async () =>
      (await consumersOn(ctx.topology.streams.logs)) === 0 ? true : undefined,
    );

    for (let seq = 41; seq <= 60; seq++) await publish(seq);
    const after = seqsOf(await collectLogs(live.client(), { taskId: 'task-2', runId: 'task-2-r1', fromSeq: before.at(-1) }, 60));
    expect([...before, ...after]).toEqual(range(1, 60));
  });

  it('sends a long stored history in chunks of many lines, and live lines one by one once caught up', async () => {
    await setUp();
    await createTaskWithRuns(live.events, 'task-8', ['task-8-r1']);
    const publish = runLogPublisher(ctx.nc, ctx.topology, 'task-8', 'task-8-r1');
    for (let seq = 1; seq <= 3_000; seq++) await publish(seq);
    const chunks: LogChunk[] = [];
    const done = (async () => {
      for await (const result of live.client().iterate({ query: TASK_LOGS, variables: { taskId: 'task-8', runId: 'task-8-r1' } })) {
        chunks.push((result.data as { taskLogs: LogChunk }).taskLogs);
        if (chunks.at(-1)!.lastSeq >= 3_010) break;
      }
    })();
    await waitFor('the history to arrive', () => (chunks.at(-1)?.lastSeq === 3_000 ? true : undefined));
    const history = chunks.length;
    // Lines that were ready together went out together: far fewer payloads than lines.
    expect(history).toBeLessThan(3_000 / 10);
    for (let seq = 3_001; seq <= 3_010; seq++) {
      await publish(seq);
      await waitFor(`line ${seq} to arrive`, () => (chunks.at(-1)!.lastSeq === seq ? true : undefined), 5_000, 2);
    }
    await done;
    expectWellFormed(chunks);
    expect(seqsOf(chunks)).toEqual(range(1, 3_010));
    // Published one at a time and awaited: nothing else was ready, so nothing waited to fill a chunk.
    expect(chunks.slice(history).map((chunk) => chunk.lines.length)).toEqual(Array(10).fill(1));
  });

  it('groups live lines that come faster than GATEWAY_LOG_FLUSH_MS into one payload', async () => {
    await setUp();
    await createTaskWithRuns(live.events, 'task-p', ['task-p-r1']);
    const publish = runLogPublisher(ctx.nc, ctx.topology, 'task-p', 'task-p-r1');
    const chunks: LogChunk[] = [];
    const done = (async () => {
      for await (const result of live.client().iterate({ query: TASK_LOGS, variables: { taskId: 'task-p', runId: 'task-p-r1' } })) {
        chunks.push((result.data as { taskLogs: LogChunk }).taskLogs);
        if (chunks.at(-1)!.lastSeq >= 201) break;
      }
    })();
    await waitFor('the tail to start', async () => ((await consumersOn(ctx.topology.streams.logs)) === 1 ? true : undefined));
    await publish(1);
    await waitFor('the first line', () => (chunks.at(-1)?.lastSeq === 1 ? true : undefined));
    // 200 lines as fast as the stream acknowledges them: each payload takes what arrived since the last.
    for (let seq = 2; seq <= 201; seq++) await publish(seq);
    await done;
    expectWellFormed(chunks);
    expect(seqsOf(chunks)).toEqual(range(1, 201));
    expect(chunks.length - 1).toBeLessThan(200 / 2);
  });

  it('holds back a client that does not read instead of reading the whole log for it, and gives it every line once it reads', async () => {
    await setUp();
    await createTaskWithRuns(live.events, 'task-9', ['task-9-r1']);
    const publish = runLogPublisher(ctx.nc, ctx.topology, 'task-9', 'task-9-r1');
    const sockets: WebSocket[] = [];
    const Captured = class extends WebSocket {
      constructor(...args: ConstructorParameters<typeof WebSocket>) {
        super(...args);
        sockets.push(this);
      }
    };
    const tcp = () => (sockets[0] as unknown as { _socket: Socket })._socket;
    const received: number[] = [];
    const done = (async () => {
      for await (const result of live.client(Captured).iterate({ query: TASK_LOGS, variables: { taskId: 'task-9', runId: 'task-9-r1' } })) {
        received.push(...(result.data as { taskLogs: LogChunk }).taskLogs.lines.map((line) => line.seq));
        if (received.at(-1) === 3_000) break;
      }
    })();
    await waitFor('the tail to start', async () => ((await consumersOn(ctx.topology.streams.logs)) === 1 ? true : undefined));
    // The client stops reading: the socket's buffers fill, then the gateway's sends stop completing.
    tcp().pause();
    const text = 'x'.repeat(10_000);
    for (let seq = 1; seq <= 3_000; seq++) await publish(seq, `${seq} ${text}`);

    const pendingWhenStalled = await waitFor('the gateway to stop reading the log', async () => {
      const before = await tailConsumer();
      await new Promise((resolve) => setTimeout(resolve, 500));
      const after = await tailConsumer();
      return after.delivered.stream_seq === before.delivered.stream_seq ? after.num_pending : undefined;
    });
    // 30 MB of lines: more than socket buffers hold, so the rest is still in the stream, not in the gateway.
    expect(pendingWhenStalled).toBeGreaterThan(0);

    tcp().resume();
    await done;
    expect(received).toEqual(range(1, 3_000));
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
