import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { fold, stageOf } from '@cohort/domain';
import { waitFor } from '@cohort/testing';
import { inTransaction, pointViewsAt } from '../db/generations.js';
import { ProjectionHarness } from '../../test/projection-harness.js';
import { LIFECYCLES, repoHistory, secretHistory, taskHistory, ticker } from '../../test/sample-lifecycles.js';

describe('Projector', () => {
  let h: ProjectionHarness;
  beforeEach(async () => {
    h = await ProjectionHarness.create('projector');
  });
  afterEach(async () => {
    await h.dispose();
  });

  it.each([
    ['in a reading thread', {}],
    ['on its own thread through the connection it is given', { natsServers: undefined }],
  ])('projects every lifecycle, reading %s, so each task row equals the domain fold of its events', async (_, options) => {
    const at = ticker(new Date('2026-03-01T10:00:00Z'));
    const histories = LIFECYCLES.map((l, i) => taskHistory(`task-${i}`, 'acme-web', l, at));
    const last = await h.append(repoHistory('acme-web', at), ...histories, secretHistory('GH_TOKEN', at), secretHistory('OLD', at, true));
    await h.startProjector(options);
    await h.waitForCheckpoint(last);

    const tasks = await h.rows<Record<string, unknown>>('tasks', 'id');
    expect(tasks).toHaveLength(LIFECYCLES.length);
    for (const [i] of LIFECYCLES.entries()) {
      const events = (await h.store.read({ type: 'task', id: `task-${i}` })).events;
      const state = fold(events as never)!;
      const row = tasks.find((t) => t.id === `task-${i}`)!;
      expect(row.state).toBe(state.status);
      expect(row.stage).toBe(stageOf(state));
      expect(row.run_count).toBe(state.runs.length);
      expect(row.cost_usd).toBeCloseTo(state.totalCostUsd, 10);
      expect(row.version).toBe(events.length);
    }
  });

  it('reports a reading thread that cannot reach NATS as its failure, applying nothing meanwhile', async () => {
    await h.append(taskHistory('late', 'acme-web', 'merged', ticker(new Date('2026-03-02T10:00:00Z'))));
    const projector = await h.startProjector({ natsServers: ['127.0.0.1:1'] });
    await waitFor(
      'the failure to be reported',
      () => (projector.status().lastError?.includes('could not connect to NATS') ? true : undefined),
      20_000,
    );
    expect(await h.checkpoint()).toBe(0);
  });

  it('brings a live generation from before a migration up to date at start, though readers have views on it', async () => {
    const at = ticker(new Date('2026-03-03T10:00:00Z'));
    const first = await h.append(taskHistory('before', 'acme-web', 'merged', at));
    const earlier = await h.startProjector();
    await h.waitForCheckpoint(first);
    await h.stopProjector(earlier);
    // The generation as a release before the json documents left it, with the views pointing at it.
    const live = `${h.schema}_g1`;
    await inTransaction(h.pool, async (client) => {
      await client.query(`DROP VIEW "${h.schema}".tasks, "${h.schema}".task_timeline`);
      await client.query(`ALTER TABLE "${live}".tasks ADD COLUMN folded jsonb NOT NULL DEFAULT '{}', ALTER COLUMN params TYPE jsonb`);
      await client.query(`ALTER TABLE "${live}".tasks ALTER COLUMN folded DROP DEFAULT`);
      await client.query(`ALTER TABLE "${live}".task_timeline ALTER COLUMN data TYPE jsonb`);
      await client.query(
        `DELETE FROM "${live}".mikro_orm_migrations
          WHERE name IN ('Migration20261121020000_json_documents', 'Migration20261121030000_task_state_from_the_log')`,
      );
      await pointViewsAt(client, h.schema, live);
    });
    const later = await h.append(taskHistory('after', 'acme-web', 'merged', at));
    const projector = await h.startProjector();
    await h.waitForCheckpoint(later);
    expect(projector.status().lastError).toBeUndefined();
    const types = await h.pool.query(
      `SELECT table_name, column_name, data_type FROM information_schema.columns
        WHERE table_schema = $1 AND column_name IN ('folded', 'params', 'data') ORDER BY 1, 2`,
      [h.schema],
    );
    expect(types.rows.map((r) => `${r.table_name}.${r.column_name} ${r.data_type}`)).toEqual([
      'task_timeline.data json',
      'tasks.params json',
    ]);
    expect((await h.rows<{ id: string }>('tasks', 'id')).map((t) => t.id)).toEqual(['after', 'before']);
  });
});
