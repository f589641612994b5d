import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { jetstream } from '@nats-io/jetstream';
import pg from 'pg';
import { databaseUrl, waitFor } from '@cohort/testing';
import { ProjectionHarness } from '../../test/projection-harness.js';
import { LIFECYCLES, taskHistory, ticker, type AggregateHistory } from '../../test/sample-lifecycles.js';
import { snapshotTables } from '../../test/table-snapshot.js';

function histories(count: number, from = 0, start = '2026-04-01T08:00:00Z'): AggregateHistory[] {
  const at = ticker(new Date(start));
  return Array.from({ length: count }, (_, i) => taskHistory(`t${from + i}`, 'acme-web', LIFECYCLES[(from + i) % LIFECYCLES.length]!, at));
}

describe('Projector faults', () => {
  let h: ProjectionHarness;
  beforeEach(async () => {
    h = await ProjectionHarness.create('projfault');
  });
  afterEach(async () => {
    await h.dispose();
  });

  it('resumes after a restart mid-way and ends with the same rows as one uninterrupted run', async () => {
    const last = await h.append(...histories(30));
    const first = await h.startProjector({ batchSize: 7, catchUpBatchSize: 7, batchLatencyMs: 0 });
    await waitFor('some batches', async () => ((await h.checkpoint().catch(() => 0)) > 40 ? true : undefined), 20_000, 5);
    await h.stopProjector(first);
    const stoppedAt = await h.checkpoint();
    expect(stoppedAt).toBeLessThan(last);
    await h.startProjector({ batchSize: 7, catchUpBatchSize: 7 });
    await h.waitForCheckpoint(last);
    // A reference projection of the same log in one go, into another schema of the same database.
    await h.startProjector({ schema: 'reference', batchSize: 500 });
    await waitFor('reference caught up', async () => {
      const r = await h.pool
        .query(`SELECT position FROM reference.projection_checkpoint`)
        .catch(() => ({ rows: [] as { position: string }[] }));
      return Number(r.rows[0]?.position ?? 0) >= last ? true : undefined;
    });
    expect(await snapshotTables(h.pool, h.schema)).toEqual(await snapshotTables(h.pool, 'reference'));
  });

  it('records an event of an unknown type in the timeline and goes on projecting', async () => {
    await h.append(...histories(1));
    const js = jetstream(h.ctx.nc);
    const foreign = {
      id: 'e-x',
      type: 'TaskTeleported',
      aggregateType: 'task',
      aggregateId: 't0',
      version: 99,
      occurredAt: '2026-04-01T09:00:00Z',
      data: { '@type': 'type.googleapis.com/cohort.v2.TaskTeleported', to: 'mars' },
    };
    await js.publish(h.ctx.topology.event('task', 't0'), JSON.stringify(foreign));
    await js.publish(h.ctx.topology.event('task', 't0'), 'not JSON at all');
    const last = await h.append(...histories(1, 1));
    await h.startProjector();
    await h.waitForCheckpoint(last);
    const timeline = await h.rows<{ type: string; summary: string; data: unknown }>('task_timeline', 'position');
    const unknown = timeline.find((r) => r.type === 'TaskTeleported')!;
    expect(unknown.summary).toMatch(/^not projected: unknown event type/);
    expect(unknown.data).toEqual(foreign.data);
    const garbled = timeline.find((r) => r.type === 'Unknown')!;
    expect(garbled).toMatchObject({ aggregate_id: 't0', data: null });
    expect(garbled.summary).toMatch(/^not projected: /);
    expect((await h.rows('tasks', 'id')).map((t) => t.id)).toEqual(['t0', 't1']);
  });

  it('keeps one projector applying; a standby takes over when it stops', async () => {
    const last = await h.append(...histories(3));
    const a = await h.startProjector();
    await h.waitForCheckpoint(last);
    const b = await h.startProjector();
    await waitFor('standby logged', () => (h.logs.some((l) => l.includes('waiting as standby')) ? true : undefined));
    expect(a.status().active).toBe(true);
    expect(b.status().active).toBe(false);
    await h.stopProjector(a);
    const more = await h.append(...histories(2, 3));
    await h.waitForCheckpoint(more);
    expect(b.status().active).toBe(true);
    expect(await h.rows('tasks', 'id')).toHaveLength(5);
  });

  it('waits out Postgres refusing connections and resumes from the checkpoint with nothing lost', async () => {
    const first = await h.append(...histories(3));
    const projector = await h.startProjector();
    await h.waitForCheckpoint(first);
    const admin = new pg.Client({ connectionString: databaseUrl() });
    await admin.connect();
    try {
      await admin.query(`ALTER DATABASE "${h.db.name}" ALLOW_CONNECTIONS false`);
      await admin.query(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()`, [
        h.db.name,
      ]);
      const last = await h.append(...histories(4, 3));
      await waitFor('the projector to report the outage', () =>
        h.logs.some((l) => l.startsWith('error projection stopped')) ? true : undefined,
      );
      await admin.query(`ALTER DATABASE "${h.db.name}" ALLOW_CONNECTIONS true`);
      await h.waitForCheckpoint(last, 30_000);

      // A second outage with no event to apply meanwhile: once Postgres answers
      // again the projector reports itself healthy without waiting for a batch.
      const failuresBefore = h.logs.filter((l) => l.startsWith('error projection stopped')).length;
      await admin.query(`ALTER DATABASE "${h.db.name}" ALLOW_CONNECTIONS false`);
      await admin.query(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()`, [
        h.db.name,
      ]);
      await waitFor('the projector to report the second outage', () =>
        projector.status().lastError !== undefined && h.logs.filter((l) => l.startsWith('error projection stopped')).length > failuresBefore
          ? true
          : undefined,
      );
      await admin.query(`ALTER DATABASE "${h.db.name}" ALLOW_CONNECTIONS true`);
      await waitFor(
        'the projector to report itself healthy',
        () => (projector.status().lastError === undefined ? true : undefined),
        30_000,
      );
    } finally {
      await admin.query(`ALTER DATABASE "${h.db.name}" ALLOW_CONNECTIONS true`).catch(() => undefined);
      await admin.end();
    }
    expect(await h.rows('tasks', 'id')).toHaveLength(7);
    const events = (await h.rows('task_timeline', 'position')).length;
    expect(events).toBe(await h.store.position());
  });
});
