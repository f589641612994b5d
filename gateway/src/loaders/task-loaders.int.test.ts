import { jetstreamManager } from '@nats-io/jetstream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureEventStream, JetStreamEventStore } from '@cohort/eventstore';
import { PostgresReadModel, Projector } from '@cohort/projections';
import { createTestDatabase, natsTestContext, type NatsTestContext, type TestDatabase } from '@cohort/testing';
import type { GatewayContext, GatewayServices } from '../context.js';
import { execute, parse } from '../graphql.js';
import { buildSchema } from '../schema/build-schema.js';
import { createTaskWithRuns } from '../subscriptions/live-gateway-fixture.js';

const TASKS_WITH_DETAILS = parse(`{
  tasks(first: 50) {
    nodes { id repo { id } runs { id } workspace { id } pullRequest { number } pipeline { stage } }
  }
}`);

describe('Task fields of a task list', () => {
  let ctx: NatsTestContext;
  let db: TestDatabase;
  let projector: Projector;
  let readModel: PostgresReadModel;
  beforeAll(async () => {
    ctx = await natsTestContext({ label: 'loaders' });
    db = await createTestDatabase('loaders');
    await ensureEventStream(await jetstreamManager(ctx.nc), ctx.topology);
    const events = await JetStreamEventStore.create({ nc: ctx.nc, topology: ctx.topology });
    for (let i = 0; i < 12; i++) await createTaskWithRuns(events, `task-${i}`, [`task-${i}-r1`]);
    readModel = new PostgresReadModel({ databaseUrl: db.url, nc: ctx.nc, topology: ctx.topology });
    projector = new Projector({ nc: ctx.nc, topology: ctx.topology, databaseUrl: db.url, batchLatencyMs: 5 });
    await projector.start();
    await readModel.waitFor(await events.position(), 20_000);
  });
  afterAll(async () => {
    await projector?.stop();
    await readModel?.close();
    await ctx?.dispose();
    await db?.dispose();
  });

  it('reads each field of every task on the page in one query per field, with the answers one task at a time gives', async () => {
    const calls: string[] = [];
    const counted = new Proxy(readModel, {
      get(target, name, receiver) {
        const value = Reflect.get(target, name, receiver) as unknown;
        if (typeof value !== 'function') return value;
        return (...args: unknown[]) => {
          calls.push(String(name));
          return (value as (...a: unknown[]) => unknown).apply(target, args);
        };
      },
    });
    const context: GatewayContext = {
      principal: { tokenId: 't', tokenName: 'test', scopes: ['read'] },
      services: { readModel: counted, atLeastTimeoutMs: 1_000 } as unknown as GatewayServices,
    };
    const result = await execute({ schema: buildSchema(), document: TASKS_WITH_DETAILS, contextValue: context });
    expect(result.errors).toBeUndefined();
    const nodes = (
      result.data as {
        tasks: { nodes: { id: string; runs: { id: string }[]; workspace: { id: string } | null; pipeline: { stage: string }[] }[] };
      }
    ).tasks.nodes;
    expect(nodes).toHaveLength(12);
    expect([...calls].sort()).toEqual(['pullRequestsOfTasks', 'runsOfTasks', 'stageHistoriesOfTasks', 'tasks', 'workspacesOfTasks']);
    for (const node of nodes) {
      expect(node.runs.map((r) => r.id)).toEqual((await readModel.runs(node.id)).map((r) => r.id));
      expect(node.workspace?.id ?? null).toBe((await readModel.workspace(node.id))?.id ?? null);
    }
    expect(nodes.every((n) => n.pipeline.length > 0)).toBe(true);
  });
});
