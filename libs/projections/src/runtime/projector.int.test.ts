import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { fold, stageOf } from '@cohort/domain';
import { waitFor } from '@cohort/testing';
import { inTransaction, pointViewsAt } from '../db/generations.js';
import { PostgresReadModel } from '../read/postgres-read-model.js';
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

  it('moves the stage history of a generation from before it was kept on the task, keying its timeline by task', async () => {
    const at = ticker(new Date('2026-03-04T10:00:00Z'));
    const first = await h.append(taskHistory('before', 'acme-web', 'ci_failure', at));
    const earlier = await h.startProjector();
    await h.waitForCheckpoint(first);
    await h.stopProjector(earlier);
    const reads = new PostgresReadModel({ databaseUrl: h.db.url, topology: h.ctx.topology });
    const history = await reads.stageHistory('before');
    expect(history.length).toBeGreaterThan(3);
    // The generation as a release before the two migrations left it: a row per visit, with readers' view on it.
    const live = `${h.schema}_g1`;
    await inTransaction(h.pool, async (client) => {
      await client.query(`DROP VIEW "${h.schema}".tasks, "${h.schema}".task_timeline`);
      await client.query(
        `CREATE TABLE "${live}".stage_visits (task_id text not null, seq int not null, stage text not null,
           entered_at timestamptz not null, left_at timestamptz null, primary key (task_id, seq))`,
      );
      await client.query(
        `INSERT INTO "${live}".stage_visits
         SELECT t.id, v.seq, v.visit->>'stage', (v.visit->>'enteredAt')::timestamptz, (v.visit->>'leftAt')::timestamptz
           FROM "${live}".tasks t, json_array_elements(t.stage_history) WITH ORDINALITY AS v(visit, seq)`,
      );
      await client.query(`ALTER TABLE "${live}".tasks DROP COLUMN stage_history`);
      await client.query(`ALTER TABLE "${live}".task_timeline DROP CONSTRAINT task_timeline_pkey, ADD PRIMARY KEY (position)`);
      await client.query(`CREATE INDEX task_timeline_aggregate_idx ON "${live}".task_timeline (aggregate_id, position)`);
      await client.query(
        `DELETE FROM "${live}".mikro_orm_migrations
          WHERE name IN ('Migration20261121040000_timeline_keyed_by_task', 'Migration20261121050000_stage_history_on_the_task')`,
      );
      await pointViewsAt(client, h.schema, live);
      await client.query(`CREATE VIEW "${h.schema}".stage_visits AS SELECT * FROM "${live}".stage_visits`);
    });
    const later = await h.append(taskHistory('after', 'acme-web', 'merged', at));
    const projector = await h.startProjector();
    await h.waitForCheckpoint(later);
    expect(projector.status().lastError).toBeUndefined();
    try {
      expect(await reads.stageHistory('before')).toEqual(history);
      expect((await reads.stageHistory('after')).map((v) => v.stage)).toContain('done');
      const left = await h.pool.query(`SELECT table_schema, table_name FROM information_schema.tables WHERE table_name = 'stage_visits'`);
      expect(left.rows).toEqual([]);
      const key = await h.pool.query(
        `SELECT pg_get_constraintdef(oid) AS definition FROM pg_constraint WHERE conname = 'task_timeline_pkey' AND connamespace = $1::regnamespace`,
        [live],
      );
      expect(key.rows).toEqual([{ definition: 'PRIMARY KEY (aggregate_id, "position")' }]);
    } finally {
      await reads.close();
    }
  });
});
