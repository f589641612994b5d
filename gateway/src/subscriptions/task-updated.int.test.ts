import { afterEach, describe, expect, it } from 'vitest';
import { randomUUID } from 'node:crypto';
import { create, TaskPriorityChangedSchema } from '@cohort/contracts';
import { PostgresReadModel, Projector } from '@cohort/projections';
import { createTestDatabase, NatsServerProcess, natsTestContext, waitFor, type NatsTestContext, type TestDatabase } from '@cohort/testing';
import { createSubscriptionResolvers } from './index.js';
import { createTaskWithRuns, startLiveGateway, type LiveGateway } from './live-gateway-fixture.js';

const TASK_UPDATED = `subscription ($filter: TaskFilter) {
  taskUpdated(filter: $filter) { id title state priority version }
}`;

interface TaskUpdate {
  readonly id: string;
  readonly title: string;
  readonly state: string;
  readonly priority: number;
  readonly version: number;
}

describe('taskUpdated', () => {
  let ctx: NatsTestContext;
  let db: TestDatabase;
  let projector: Projector;
  let readModel: PostgresReadModel;
  let live: LiveGateway;
  /** A NATS server of the test's own, when it takes one away. */
  let server: NatsServerProcess | undefined;
  afterEach(async () => {
    await live?.close();
    await projector?.stop();
    await readModel?.close();
    await ctx.dispose();
    await db.dispose();
    await server?.dispose();
    server = undefined;
  });

  /** `notifyElsewhere`: the projector's notifications go to another subject, as if every one were lost on the way. */
  async function setUp(options: { notifyElsewhere?: boolean; natsUrl?: string } = {}): Promise<void> {
    ctx = await natsTestContext({ label: 'taskupd', ...(options.natsUrl ? { url: options.natsUrl } : {}) });
    db = await createTestDatabase('taskupd');
    // The gateway's fixture creates the streams the projector reads.
    readModel = new PostgresReadModel({ databaseUrl: db.url, nc: ctx.nc, topology: ctx.topology });
    live = await startLiveGateway({ nc: ctx.nc, topology: ctx.topology, natsUrl: ctx.url, readModel });
    const topology = options.notifyElsewhere ? { ...ctx.topology, projected: `${ctx.topology.projected}.lost` } : ctx.topology;
    projector = new Projector({ nc: ctx.nc, topology, databaseUrl: db.url, batchLatencyMs: 5 });
    await projector.start();
  }

  async function changePriority(taskId: string, priority: number): Promise<void> {
    await live.events.append(
      { type: 'task', id: taskId },
      [{ id: randomUUID(), type: 'TaskPriorityChanged', data: create(TaskPriorityChangedSchema, { priority, by: 'test' }) }],
      { expectedVersion: 'any' },
    );
  }

  async function projected(taskId: string, version: number): Promise<void> {
    await waitFor(`task ${taskId} projected at version ${version}`, async () =>
      ((await readModel.task(taskId))?.version ?? 0) >= version ? true : undefined,
    );
  }

  it('pushes the new state of each projected task that matches the filter, and only those', async () => {
    await setUp();
    await createTaskWithRuns(live.events, 'alpha-1', [], 'Alpha: fix the login');
    await projected('alpha-1', 1);
    const received: TaskUpdate[] = [];
    const client = live.client();
    const done = (async () => {
      for await (const result of client.iterate({
        query: TASK_UPDATED,
        variables: { filter: { text: 'LOGIN', states: ['waiting', 'queued'] } },
      })) {
        expect(result.errors).toBeUndefined();
        received.push((result.data as { taskUpdated: TaskUpdate }).taskUpdated);
        if (received.some((task) => task.priority === 99)) break;
      }
    })();
    // The subscription is live once a change made after it reaches the client.
    let priority = 0;
    await waitFor(
      'the first update to reach the client',
      async () => {
        await changePriority('alpha-1', ++priority);
        return received.length > 0 ? true : undefined;
      },
      15_000,
      250,
    );
    await createTaskWithRuns(live.events, 'beta-1', [], 'Beta: tidy the docs');
    await createTaskWithRuns(live.events, 'alpha-2', [], 'Alpha: the login button');
    await projected('alpha-2', 1);
    await changePriority('alpha-1', 99);
    await done;

    expect(received.map((task) => task.id)).not.toContain('beta-1');
    expect(received.map((task) => task.id)).toContain('alpha-2');
    const last = received.at(-1)!;
    expect(last).toMatchObject({ id: 'alpha-1', title: 'Alpha: fix the login', priority: 99 });
    expect(last.version).toBe((await readModel.task('alpha-1'))!.version);
  });

  it('keeps a slow client to its buffer: only the latest tasks wait, older ones are dropped', async () => {
    await setUp();
    const ids = ['t-1', 't-2', 't-3', 't-4', 't-5', 't-6'];
    for (const id of ids) await createTaskWithRuns(live.events, id, []);
    for (const id of ids) await projected(id, 1);
    const warnings: string[] = [];
    const resolvers = createSubscriptionResolvers({
      nc: ctx.nc,
      topology: ctx.topology,
      readModel,
      events: live.events,
      logger: { warn: (message) => warnings.push(message) },
      maxBufferedTasksPerClient: 2,
    });
    const updates = resolvers.Subscription.taskUpdated.subscribe(undefined, {});
    try {
      // One notification naming six tasks, as a busy projector batch would: the client reads none of them yet.
      ctx.nc.publish(ctx.topology.projected, JSON.stringify({ position: 6, taskIds: ids, repoIds: [] }));
      await waitFor('the slow client to overflow', () => (warnings.some((w) => w.includes('reads too slowly')) ? true : undefined));
      await createTaskWithRuns(live.events, 't-7', []);
      const seen: string[] = [];
      for (let i = 0; i < 3; i++) seen.push(((await updates.next()).value as { id: string }).id);
      expect(seen).toEqual(['t-5', 't-6', 't-7']);
    } finally {
      await updates.return!();
    }
  });

  it('pushes the tasks whose notifications it missed once a notification shows the gap', async () => {
    await setUp({ notifyElsewhere: true });
    await createTaskWithRuns(live.events, 'seen-1', []);
    await projected('seen-1', 1);
    const resolvers = createSubscriptionResolvers({ nc: ctx.nc, topology: ctx.topology, readModel, events: live.events });
    const updates = resolvers.Subscription.taskUpdated.subscribe(undefined, {});
    try {
      // A notification that follows on from the checkpoint: no gap yet, and its task reaches the client.
      const before = await readModel.checkpoint();
      const notify = (from: number, position: number, taskIds: string[]) =>
        ctx.nc.publish(ctx.topology.projected, JSON.stringify({ from, position, taskIds, repoIds: [] }));
      notify(before, before, ['seen-1']);
      expect(((await updates.next()).value as { id: string }).id).toBe('seen-1');
      // Two tasks projected whose notifications never arrive, then one that says it follows a later checkpoint.
      await createTaskWithRuns(live.events, 'missed-1', []);
      await createTaskWithRuns(live.events, 'missed-2', []);
      await projected('missed-2', 1);
      const now = await readModel.checkpoint();
      notify(now, now, []);
      const pushed = [((await updates.next()).value as { id: string }).id, ((await updates.next()).value as { id: string }).id];
      expect(pushed.sort()).toEqual(['missed-1', 'missed-2']);
    } finally {
      await updates.return!();
    }
  });

  it('pushes the tasks changed while its NATS connection was away once it reconnects', async () => {
    // A server of its own, to take away from under the gateway.
    const own = (server = await NatsServerProcess.start());
    await setUp({ notifyElsewhere: true, natsUrl: server.url });
    await createTaskWithRuns(live.events, 'before', []);
    await projected('before', 1);
    const resolvers = createSubscriptionResolvers({ nc: ctx.nc, topology: ctx.topology, readModel, events: live.events });
    const updates = resolvers.Subscription.taskUpdated.subscribe(undefined, {});
    try {
      const checkpoint = await readModel.checkpoint();
      ctx.nc.publish(ctx.topology.projected, JSON.stringify({ from: checkpoint, position: checkpoint, taskIds: ['before'], repoIds: [] }));
      expect(((await updates.next()).value as { id: string }).id).toBe('before');
      // Its notification never arrives; the reconnect after the outage is what makes the gateway look.
      await createTaskWithRuns(live.events, 'while-away', []);
      await projected('while-away', 1);
      await own.kill();
      await own.restart();
      expect(((await updates.next()).value as { id: string }).id).toBe('while-away');
    } finally {
      await updates.return!();
    }
  }, 60_000);
});
