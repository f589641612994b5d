import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import pg from 'pg';
import type { Client } from 'graphql-ws';
import { databaseUrl, waitFor } from '@cohort/testing';
import { greetingRepo } from './support/scenario-repos.js';
import { System, type GraphqlReply } from './support/system.js';

const MINUTE = 60_000;

/** `count` lines printed `delayMs` apart, so a run's log is still streaming while the test acts on it. */
function ticks(label: string, count: number, delayMs: number): string {
  return Array.from({ length: count }, (_, i) => `  - print: "${label} tick ${i + 1} of ${count}"\n    delay_ms: ${delayMs}`).join('\n');
}

// CI fails on the first head; the resume run fixes the greeting, and the repository merges on its own.
const CI_FAILS_ONCE = `initial:
${ticks('initial', 30, 200)}
  - write: { path: greeting.txt, content: "Hello, there\\n" }
resume:ci_failure:
${ticks('resume', 10, 100)}
  - patch: { path: greeting.txt, find: "Hello, there", replace: "Hello, Cohort" }
`;

// One long run whose CI passes: long enough to take Postgres away in the middle of it.
const SLOW_RUN = `initial:
${ticks('slow', 60, 250)}
  - write: { path: greeting.txt, content: "Hello, Cohort\\n" }
`;

interface LogLine {
  readonly seq: number;
  readonly stream: string;
  readonly text: string;
  readonly at: string;
}

interface TimelineEntry {
  readonly eventId: string;
  readonly type: string;
  readonly version: number;
  readonly position: string;
  readonly runId: string | null;
}

interface CommandResult {
  readonly id: string;
  readonly eventIds: string[];
  readonly position: string;
}

const TASK_LOGS = `subscription ($taskId: ID!, $runId: ID!, $fromSeq: Int) {
  taskLogs(taskId: $taskId, runId: $runId, fromSeq: $fromSeq) { lines { seq stream text at } lastSeq }
}`;
/** taskLogs sends chunks of lines; the tests follow the lines. */
const logLines = (data: Record<string, unknown>): readonly LogLine[] => {
  const chunk = data.taskLogs as { lines: LogLine[]; lastSeq: number };
  if (chunk.lines.length === 0 || chunk.lastSeq !== chunk.lines.at(-1)!.seq)
    throw new Error(`a taskLogs chunk must hold lines and end at its lastSeq: ${JSON.stringify(chunk)}`);
  return chunk.lines;
};
const TASK_EVENTS = `subscription ($taskId: ID!) {
  taskEvents(taskId: $taskId) { eventId type version position runId }
}`;
const TASK_UPDATED = `subscription ($text: String!) {
  taskUpdated(filter: { text: $text }) { id state version }
}`;
const REGISTER_REPO = `mutation ($input: RepoInput!) { registerRepo(input: $input) { id eventIds position } }`;
const CREATE_TASK = `mutation ($input: CreateTaskInput!) { createTask(input: $input) { id eventIds position } }`;

/**
 * What one graphql-ws subscription has delivered so far, and how it ended if it
 * did. Its items are the values of the field `pick` names, or what `pick`
 * takes out of each payload.
 */
class Received<T> {
  readonly items: T[] = [];
  error: unknown;
  ended = false;
  private readonly stop: () => void;

  constructor(
    readonly client: Client,
    query: string,
    variables: Record<string, unknown>,
    pick: string | ((data: Record<string, unknown>) => readonly T[]),
    private readonly onItem?: (item: T) => void,
  ) {
    const itemsOf = typeof pick === 'string' ? (data: Record<string, unknown>) => (data[pick] ? [data[pick] as T] : []) : pick;
    this.stop = client.subscribe<Record<string, unknown>>(
      { query, variables },
      {
        next: (result) => {
          if (result.errors) this.error = result.errors;
          try {
            for (const item of result.data ? itemsOf(result.data) : []) {
              this.items.push(item);
              this.onItem?.(item);
            }
          } catch (error) {
            this.error = error;
          }
        },
        error: (error) => (this.error = error),
        complete: () => (this.ended = true),
      },
    );
  }

  /** Waits until the delivered items satisfy `done`; fails at once when the subscription failed or ended. */
  async until(what: string, done: (items: readonly T[]) => boolean, timeoutMs = 3 * MINUTE): Promise<readonly T[]> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      if (done(this.items)) return this.items;
      if (this.error) throw new Error(`the subscription failed while waiting for ${what}: ${describeError(this.error)}`);
      if (this.ended) throw new Error(`the subscription ended while waiting for ${what}`);
      if (Date.now() > deadline)
        throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}; ${this.items.length} item(s) so far`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  unsubscribe(): void {
    this.stop();
  }
}

function describeError(error: unknown): string {
  if (error instanceof Error) return error.message;
  if (typeof error === 'object' && error && 'code' in error && 'reason' in error) {
    const close = error as { code: number; reason: string };
    return `socket closed with ${close.code} ${close.reason}`;
  }
  return JSON.stringify(error);
}

const seqs = (lines: readonly LogLine[]) => lines.map((line) => line.seq);
const oneTo = (n: number) => Array.from({ length: n }, (_, i) => i + 1);

describe('the GraphQL API against the whole system (HTTP and graphql-ws only)', () => {
  let system: System;
  const clients: Client[] = [];
  let postgresDown = false;

  const client = () => {
    const c = system.subscriptionClient();
    clients.push(c);
    return c;
  };

  /** Sends an operation and returns its data; any error fails the test with the gateway's answer. */
  async function ok<T>(query: string, variables: Record<string, unknown> = {}): Promise<T> {
    const reply = await system.graphql<T>(query, variables);
    if (reply.body.errors || !reply.body.data) {
      throw new Error(`${query.trim().split('\n')[0]} answered ${reply.status}: ${JSON.stringify(reply.body.errors ?? reply.body)}`);
    }
    return reply.body.data;
  }

  /** A mutation the services may not be ready for yet: retried while it answers UNAVAILABLE (both mutations used are idempotent). */
  async function whenReady<T>(what: string, query: string, variables: Record<string, unknown>): Promise<T> {
    let last: GraphqlReply<T> | undefined;
    try {
      return await waitFor(
        what,
        async () => {
          last = await system.graphql<T>(query, variables);
          if (last.body.errors?.some((error) => error.extensions?.code === 'UNAVAILABLE')) return undefined;
          return last;
        },
        2 * MINUTE,
        500,
      ).then((reply) => {
        if (reply.body.errors || !reply.body.data) throw new Error(`${what} failed: ${JSON.stringify(reply.body.errors)}`);
        return reply.body.data;
      });
    } catch (error) {
      throw new Error(`${(error as Error).message}\nlast answer: ${JSON.stringify(last?.body)}\n${system.output.slice(-30).join('\n')}`, {
        cause: error,
      });
    }
  }

  async function registerRepo(name: string, playbook: string): Promise<CommandResult & { origin: string }> {
    const origin = await system.createRepository(name, greetingRepo(playbook));
    const input = { name, url: origin, ciCommand: 'sh ci.sh', autoMerge: true, defaultAgent: 'scripted' };
    const { registerRepo: result } = await whenReady<{ registerRepo: CommandResult }>(`registerRepo ${name}`, REGISTER_REPO, { input });
    return { ...result, origin };
  }

  async function createTask(repoId: string, taskId: string, title: string): Promise<CommandResult> {
    const input = { kind: 'repo', repoId, taskId, title, prompt: 'Make the greeting name Cohort' };
    return (await whenReady<{ createTask: CommandResult }>(`createTask ${taskId}`, CREATE_TASK, { input })).createTask;
  }

  /** Every line of a run's stored log, read with Task.logs a page at a time. */
  async function storedLog(taskId: string, runId: string): Promise<LogLine[]> {
    const lines: LogLine[] = [];
    for (let fromSeq = 0; ;) {
      const data = await ok<{ task: { logs: { lines: LogLine[]; lastSeq: number; hasMore: boolean } } }>(
        `query ($id: ID!, $runId: ID!, $fromSeq: Int) {
          task(id: $id) { logs(runId: $runId, fromSeq: $fromSeq, limit: 7) { lines { seq stream text at } lastSeq hasMore } }
        }`,
        { id: taskId, runId, fromSeq },
      );
      lines.push(...data.task.logs.lines);
      if (!data.task.logs.hasMore) return lines;
      expect(data.task.logs.lastSeq).toBeGreaterThan(fromSeq);
      fromSeq = data.task.logs.lastSeq;
    }
  }

  /** The task's whole projected timeline, page by page. */
  async function projectedTimeline(taskId: string): Promise<TimelineEntry[]> {
    const entries: TimelineEntry[] = [];
    for (let after: string | null = null; ;) {
      const data: { task: { timeline: { nodes: TimelineEntry[]; pageInfo: { endCursor: string | null; hasNextPage: boolean } } } } =
        await ok(
          `query ($id: ID!, $after: String) {
            task(id: $id) { timeline(first: 10, after: $after) { nodes { eventId type version position runId } pageInfo { endCursor hasNextPage } } }
          }`,
          { id: taskId, after },
        );
      entries.push(...data.task.timeline.nodes);
      if (!data.task.timeline.pageInfo.hasNextPage) return entries;
      after = data.task.timeline.pageInfo.endCursor;
    }
  }

  /** Makes the system's database refuse connections and drops the open ones (allow=false), or lets it in again. */
  async function allowConnections(allow: boolean): Promise<void> {
    const admin = new pg.Client({ connectionString: databaseUrl() });
    await admin.connect();
    try {
      await admin.query(`ALTER DATABASE "${system.database.name}" ALLOW_CONNECTIONS ${allow}`);
      if (!allow) {
        await admin.query('SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()', [
          system.database.name,
        ]);
      }
    } finally {
      await admin.end();
    }
    postgresDown = !allow;
  }

  beforeAll(async () => {
    system = await System.start('graphql', {
      INTAKE_MAX_AUTO_RESUMES: '2',
      // The machine running the suite is shared: give the projections and the services room to answer.
      GATEWAY_AT_LEAST_TIMEOUT_MS: '30000',
      GATEWAY_COMMAND_TIMEOUT_MS: '20000',
    });
    await system.waitForGateway();
  }, 3 * MINUTE);

  afterAll(async () => {
    if (postgresDown) await allowConnections(true).catch(() => undefined);
    await Promise.all(clients.map((c) => c.dispose()));
    await system?.stop();
  });

  it("shows a mutation's own write to a query given its position as atLeast", async () => {
    const registered = await registerRepo('ryw', SLOW_RUN);
    expect(registered).toMatchObject({ id: 'ryw', eventIds: [expect.any(String)], position: expect.stringMatching(/^[1-9]\d*$/) });
    const repo = await ok<{ repo: { id: string; name: string; ciCommand: string; autoMerge: boolean } | null }>(
      'query ($id: ID!, $at: Position) { repo(id: $id, atLeast: $at) { id name ciCommand autoMerge } }',
      { id: registered.id, at: registered.position },
    );
    expect(repo.repo).toEqual({ id: 'ryw', name: 'ryw', ciCommand: 'sh ci.sh', autoMerge: true });

    const updated = await ok<{ updateRepo: CommandResult }>(
      'mutation ($id: ID!, $input: RepoInput!) { updateRepo(id: $id, input: $input) { id position } }',
      { id: 'ryw', input: { name: 'ryw', url: registered.origin, ciCommand: 'sh ci.sh --strict', autoMerge: false } },
    );
    expect(BigInt(updated.updateRepo.position)).toBeGreaterThan(BigInt(registered.position));
    const afterUpdate = await ok<{ repo: { ciCommand: string; autoMerge: boolean } }>(
      'query ($at: Position) { repo(id: "ryw", atLeast: $at) { ciCommand autoMerge } }',
      { at: updated.updateRepo.position },
    );
    expect(afterUpdate.repo).toEqual({ ciCommand: 'sh ci.sh --strict', autoMerge: false });

    const created = await createTask('ryw', 'ryw-task', 'Read your own writes');
    expect(created.id).toBe('ryw-task');
    const seen = await ok<{
      task: { id: string; title: string; repoId: string } | null;
      tasks: { totalCount: number; nodes: Array<{ id: string }> };
    }>(
      `query ($at: Position) {
        task(id: "ryw-task", atLeast: $at) { id title repoId }
        tasks(filter: { text: "Read your own writes" }, atLeast: $at) { totalCount nodes { id } }
      }`,
      { at: created.position },
    );
    expect(seen.task).toEqual({ id: 'ryw-task', title: 'Read your own writes', repoId: 'ryw' });
    expect(seen.tasks).toEqual({ totalCount: 1, nodes: [{ id: 'ryw-task' }] });

    const cancelled = await ok<{ cancelTask: CommandResult }>('mutation { cancelTask(id: "ryw-task", reason: "test") { id position } }');
    const afterCancel = await ok<{ task: { state: string } }>('query ($at: Position) { task(id: "ryw-task", atLeast: $at) { state } }', {
      at: cancelled.cancelTask.position,
    });
    expect(afterCancel.task.state).toBe('cancelled');
  });

  it('streams every log line of every run in order across a reconnect, and reports the task completed', async () => {
    const title = 'Fix the greeting over GraphQL';
    await registerRepo('gqlloop', CI_FAILS_ONCE);
    const updates = new Received<{ id: string; state: string; version: number }>(client(), TASK_UPDATED, { text: title }, 'taskUpdated');
    const created = await createTask('gqlloop', 'gql-loop', title);
    const taskId = created.id;

    const events = new Received<TimelineEntry>(client(), TASK_EVENTS, { taskId }, 'taskEvents');
    const runIdsOf = (entries: readonly TimelineEntry[]) => entries.filter((e) => e.type === 'RunScheduled').map((e) => e.runId!);
    const initialRun = runIdsOf(await events.until('the initial run to be scheduled', (entries) => runIdsOf(entries).length >= 1))[0]!;

    // First connection: dropped once the run is a few ticks in.
    let disconnected: Promise<void> | undefined;
    const first = new Received<LogLine>(client(), TASK_LOGS, { taskId, runId: initialRun, fromSeq: 0 }, logLines, (line) => {
      if (line.text.includes('initial tick 5 of 30')) disconnected ??= first.client.dispose() as Promise<void>;
    });
    await first.until('the initial run to print its fifth tick', () => disconnected !== undefined);
    await disconnected;
    const lastSeq = Math.max(...seqs(first.items));
    const reconnectedAt = Date.now();
    const second = new Received<LogLine>(client(), TASK_LOGS, { taskId, runId: initialRun, fromSeq: lastSeq }, logLines);

    const allEvents = await events.until('a resume run for the CI failure', (entries) => runIdsOf(entries).length >= 2);
    const resumeRun = runIdsOf(allEvents)[1]!;
    const resume = new Received<LogLine>(client(), TASK_LOGS, { taskId, runId: resumeRun }, logLines);

    const completedUpdate = await updates.until('taskUpdated to report the task completed', (items) =>
      items.some((u) => u.id === taskId && u.state === 'completed'),
    );
    const mine = completedUpdate.filter((u) => u.id === taskId);
    expect(mine.map((u) => u.version)).toEqual([...mine.map((u) => u.version)].sort((a, b) => a - b));
    expect(mine.at(-1)?.state).toBe('completed');

    const completed = await waitFor(
      'the task to read as completed with both runs finished',
      async () => {
        const data = await ok<{ task: { state: string; runs: Array<{ id: string; kind: string; status: string; logLines: number }> } }>(
          'query ($id: ID!) { task(id: $id) { state runs { id kind status logLines } } }',
          { id: taskId },
        );
        return data.task.state === 'completed' && data.task.runs.every((r) => r.status === 'finished') ? data.task : undefined;
      },
      2 * MINUTE,
      250,
    );
    expect(completed.runs.map((r) => [r.id, r.kind])).toEqual([
      [initialRun, 'initial'],
      [resumeRun, 'resume'],
    ]);
    const [initialCount, resumeCount] = completed.runs.map((r) => r.logLines) as [number, number];

    await second.until(`the reconnected stream to reach line ${initialCount}`, (lines) => lines.some((l) => l.seq === initialCount));
    await resume.until(`the resume run's stream to reach line ${resumeCount}`, (lines) => lines.some((l) => l.seq === resumeCount));

    // The two connections together carry every line exactly once, in order; the second only what the first lacked.
    expect(seqs(first.items)).toEqual(oneTo(lastSeq));
    expect(seqs(second.items)).toEqual(oneTo(initialCount).slice(lastSeq));
    expect(lastSeq).toBeLessThan(initialCount);
    // Some lines were printed after the reconnect, so they came live, not from the stored history.
    expect(second.items.some((line) => Date.parse(line.at) > reconnectedAt)).toBe(true);
    const streamed = [...first.items, ...second.items];
    expect(streamed.filter((l) => /initial tick \d+ of 30/.test(l.text)).map((l) => l.text)).toEqual(
      oneTo(30).map((i) => `initial tick ${i} of 30`),
    );
    expect(seqs(resume.items)).toEqual(oneTo(resumeCount));
    expect(resume.items.filter((l) => l.text.startsWith('resume tick')).map((l) => l.text)).toEqual(
      oneTo(10).map((i) => `resume tick ${i} of 10`),
    );
    expect(resume.items.some((l) => l.text.includes('greeting.txt says: Hello, there'))).toBe(true);

    // What was streamed is what is stored.
    expect(await storedLog(taskId, initialRun)).toEqual(streamed);
    expect(await storedLog(taskId, resumeRun)).toEqual(resume.items);
    for (const subscription of [second, resume, events, updates]) subscription.unsubscribe();
  });

  it('keeps taking mutations and streaming logs while Postgres is down, and the projections catch up once it is back', async () => {
    await registerRepo('gqlpgdown', SLOW_RUN);
    const a = await createTask('gqlpgdown', 'pg-down-a', 'Runs through a Postgres outage');
    const eventsA = new Received<TimelineEntry>(client(), TASK_EVENTS, { taskId: a.id }, 'taskEvents');
    const runOf = (entries: readonly TimelineEntry[]) => entries.find((e) => e.type === 'RunScheduled')?.runId;
    const runA = runOf(await eventsA.until('task A to have a run', (entries) => runOf(entries) !== undefined))!;
    const logsA = new Received<LogLine>(client(), TASK_LOGS, { taskId: a.id, runId: runA }, logLines);
    await logsA.until('task A to print its third tick', (lines) => lines.some((l) => l.text === 'slow tick 3 of 60'));

    await allowConnections(false);
    const seqAtOutage = Math.max(...seqs(logsA.items));

    const down = await waitFor(
      'queries to answer UNAVAILABLE',
      async () => {
        const reply = await system.graphql('query ($id: ID!) { task(id: $id) { id state } }', { id: a.id });
        return reply.body.errors?.[0]?.extensions?.code === 'UNAVAILABLE' ? reply : undefined;
      },
      MINUTE,
      200,
    );
    expect(down.body.errors![0]!.message).toContain('the projections in Postgres are unavailable');
    expect(down.body.errors![0]!.message).toContain('mutations and subscriptions still work');
    expect(JSON.stringify(down.body)).not.toMatch(/stack|ECONNREFUSED|at \//);
    const list = await system.graphql('{ tasks(first: 5) { totalCount } }');
    expect(list.body.errors?.[0]?.extensions?.code).toBe('UNAVAILABLE');
    const readSide = await ok<{ readSide: { available: boolean; checkpoint: string | null; head: string } }>(
      '{ readSide { available checkpoint head } }',
    );
    expect(readSide.readSide).toMatchObject({ available: false, checkpoint: null });

    // A write goes through: commands are handled by the services over NATS, not by Postgres.
    const b = await ok<{ createTask: CommandResult }>(CREATE_TASK, {
      input: { kind: 'repo', repoId: 'gqlpgdown', taskId: 'pg-down-b', title: 'Created during the outage', prompt: 'Greet Cohort' },
    });
    expect(b.createTask).toMatchObject({ id: 'pg-down-b', position: expect.stringMatching(/^\d+$/) });
    const eventsB = new Received<TimelineEntry>(client(), TASK_EVENTS, { taskId: 'pg-down-b' }, 'taskEvents');
    const runB = runOf(await eventsB.until('task B to have a run while Postgres is down', (entries) => runOf(entries) !== undefined))!;

    // The live log keeps coming to the end of the agent's output.
    await logsA.until('task A to print its last tick while Postgres is down', (lines) =>
      lines.some((l) => l.text === 'slow tick 60 of 60'),
    );
    expect(Math.max(...seqs(logsA.items))).toBeGreaterThan(seqAtOutage + 50);
    expect(seqs(logsA.items)).toEqual(oneTo(logsA.items.length));
    // ...and all of that while the read side was still down.
    expect((await system.graphql('{ taskCounts { completed } }')).body.errors?.[0]?.extensions?.code).toBe('UNAVAILABLE');

    await allowConnections(true);

    for (const [taskId, runId] of [
      [a.id, runA],
      ['pg-down-b', runB],
    ] as const) {
      await system.waitForEvents(
        taskId,
        'the task to complete and its ticket to close',
        (types) => types.includes('TicketClosed'),
        4 * MINUTE,
      );
      // Caught up: the projected version and timeline hold exactly the events in the log.
      const { stored, timeline } = await waitFor(
        `the projections to catch up with task ${taskId}`,
        async () => {
          const events = await system.taskEvents(taskId);
          const reply = await system.graphql<{ task: { version: number } | null }>('query ($id: ID!) { task(id: $id) { version } }', {
            id: taskId,
          });
          if (reply.body.data?.task?.version !== events.length) return undefined;
          const entries = await projectedTimeline(taskId);
          return entries.length === events.length ? { stored: events, timeline: entries } : undefined;
        },
        3 * MINUTE,
        250,
      );
      expect(timeline.map((e) => [e.eventId, e.type, e.version])).toEqual(stored.map((e) => [e.id, e.type, e.version]));
      // The subscription read the same events from the stream, with the same positions.
      const streamed = await (taskId === a.id ? eventsA : eventsB).until(
        'taskEvents to deliver every stored event',
        (entries) => entries.length >= stored.length,
      );
      expect(streamed.slice(0, stored.length)).toEqual(timeline);

      const task = await ok<{
        task: { state: string; version: number; runs: Array<{ id: string; status: string; outcome: string; logLines: number }> };
      }>('query ($id: ID!) { task(id: $id) { state version runs { id status outcome logLines } } }', { id: taskId });
      expect(task.task.state).toBe((await system.task(taskId))?.status);
      expect(task.task.state).toBe('completed');
      const scheduled = stored.filter((e) => e.type === 'RunScheduled').map((e) => (e.data as { runId: string }).runId);
      expect(task.task.runs.map((r) => r.id)).toEqual(scheduled);
      expect(task.task.runs[0]).toMatchObject({ id: runId, status: 'finished', outcome: 'succeeded' });
      if (taskId === a.id) {
        // Every line the live subscription delivered is stored, and it delivered every stored line.
        const count = task.task.runs[0]!.logLines;
        await logsA.until(`task A's stream to reach line ${count}`, (lines) => lines.length >= count);
        expect(seqs(logsA.items)).toEqual(oneTo(count));
        expect(await storedLog(taskId, runA)).toEqual(logsA.items);
      }
    }
    expect((await ok<{ readSide: { available: boolean } }>('{ readSide { available } }')).readSide.available).toBe(true);
  });
});
