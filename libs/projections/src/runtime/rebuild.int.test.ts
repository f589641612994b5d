import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { waitFor } from '@cohort/testing';
import { ProjectionHarness } from '../../test/projection-harness.js';
import { LIFECYCLES, repoHistory, secretHistory, taskHistory, ticker, type AggregateHistory } from '../../test/sample-lifecycles.js';
import { snapshotTables } from '../../test/table-snapshot.js';
import { PostgresReadModel } from '../read/postgres-read-model.js';
import { requestRebuild } from '../rebuild/request-rebuild.js';

function histories(count: number, from: number, start: string): AggregateHistory[] {
  const at = ticker(new Date(start));
  return Array.from({ length: count }, (_, i) =>
    taskHistory(`t${from + i}`, `repo${(from + i) % 3}`, LIFECYCLES[(from + i) % LIFECYCLES.length]!, at),
  );
}

describe('rebuild', () => {
  let h: ProjectionHarness;
  beforeEach(async () => {
    h = await ProjectionHarness.create('rebuild');
  });
  afterEach(async () => {
    await h.dispose();
  });

  it('builds a new generation while the live one serves, switches readers to it, and equals a live projection row by row', async () => {
    const at = ticker(new Date('2026-06-01T08:00:00Z'));
    const first = await h.append(repoHistory('repo0', at), secretHistory('TOKEN', at), ...histories(40, 0, '2026-06-01T09:00:00Z'));
    const projector = await h.startProjector();
    // A second, independent live projection of the same log to compare with.
    await h.startProjector({ schema: 'reference', batchSize: 11 });
    await h.waitForCheckpoint(first);
    const reads = new PostgresReadModel({ databaseUrl: h.db.url, schema: h.schema });
    try {
      const before = await reads.tasks({}, { first: 1 });
      const live = projector.status().generation!;
      const started = await projector.rebuild();
      // Numbers are never reused, so a start that failed and was retried leaves a gap: only the order matters.
      expect(started.generation, h.logs.join('\n')).toBeGreaterThan(live);
      expect(projector.status().rebuilding).toBe(started.generation);
      let readsDuringRebuild = 0;
      let appended = first;
      let done = false;
      void started.done.then(() => (done = true));
      let round = 0;
      while (!done) {
        const page = await reads.tasks({}, { first: 1 });
        expect(page.totalCount).toBeGreaterThanOrEqual(before.totalCount);
        readsDuringRebuild++;
        if (round < 3) appended = await h.append(...histories(2, 100 + round * 2, `2026-06-02T0${round}:00:00Z`));
        round++;
        await new Promise((r) => setTimeout(r, 5));
      }
      await started.done;
      await started.retired;
      expect(readsDuringRebuild).toBeGreaterThan(0);
      await h.waitForCheckpoint(appended);
      await waitFor('reference caught up', async () => {
        const r = await h.pool.query(`SELECT position FROM reference.projection_checkpoint`);
        return Number(r.rows[0]?.position ?? 0) >= appended ? true : undefined;
      });
      const generations = await h.pool.query(
        `SELECT generation, status FROM "${h.schema}".projection_generations WHERE status <> 'spare' ORDER BY generation`,
      );
      expect(generations.rows).toEqual([{ generation: started.generation, status: 'live' }]);
      // One statement, so a spare made meanwhile is seen in both or neither.
      const schemas = await h.pool.query(
        `SELECT schema_name FROM information_schema.schemata
          WHERE schema_name LIKE $1
            AND schema_name NOT IN (SELECT schema_name FROM "${h.schema}".projection_generations WHERE status = 'spare')
          ORDER BY 1`,
        [`${h.schema}_g%`],
      );
      expect(schemas.rows.map((r) => r.schema_name)).toEqual([`${h.schema}_g${started.generation}`]);
      expect(await snapshotTables(h.pool, h.schema)).toEqual(await snapshotTables(h.pool, 'reference'));
      // Live projection carries on into the new generation.
      const later = await h.append(...histories(1, 200, '2026-06-03T08:00:00Z'));
      await reads.waitFor(later, 10_000);
      expect((await reads.task('t200'))?.id).toBe('t200');
    } finally {
      await reads.close();
    }
  });

  it('joins a rebuild already running instead of starting another', async () => {
    const last = await h.append(...histories(5, 0, '2026-06-01T09:00:00Z'));
    const projector = await h.startProjector();
    await h.waitForCheckpoint(last);
    const a = await projector.rebuild();
    const b = await projector.rebuild();
    expect(b.generation).toBe(a.generation);
    await Promise.all([a.done, b.done]);
    expect(projector.status()).toMatchObject({ generation: a.generation, rebuilding: undefined });
  });

  it('reports no projector when none answers', async () => {
    expect(await requestRebuild(h.ctx.nc, h.ctx.topology, { timeoutMs: 300 })).toMatchObject({
      ok: false,
      message: expect.stringMatching(/no projector answered/),
    });
  });

  it('starts on a generation made ahead, makes the next one after the switch, and makes a fresh one at start', async () => {
    const last = await h.append(...histories(5, 0, '2026-06-01T09:00:00Z'));
    const projector = await h.startProjector();
    await h.waitForCheckpoint(last);
    const spares = async () =>
      (
        await h.pool.query<{ generation: number }>(`SELECT generation FROM "${h.schema}".projection_generations WHERE status = 'spare'`)
      ).rows.map((r) => r.generation);
    await waitFor('a spare generation', async () => ((await spares()).length === 1 ? true : undefined));
    const [ahead] = await spares();
    const first = await projector.rebuild();
    expect(first.generation).toBe(ahead);
    await first.done;
    await first.retired;
    // Made in the background once the old generation is dropped.
    const next = await waitFor('the next spare generation', async () => (await spares()).find((g) => g > first.generation));
    expect(h.logs.join('\n')).toContain(`rebuilding the projections into ${h.schema}_g${ahead} (made ahead)`);

    // A new term drops what an earlier one made ahead (its code may have changed since) and makes another.
    await h.stopProjector(projector);
    const again = await h.startProjector();
    await waitFor('a new spare generation', async () => {
      const now = await spares();
      return now.length === 1 && now[0]! > next ? true : undefined;
    });
    const second = await again.rebuild();
    await second.done;
    expect((await h.rows<{ id: string }>('tasks', 'id')).length).toBe(5);
  });
});
