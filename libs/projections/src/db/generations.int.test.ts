import type { MikroORM } from '@mikro-orm/postgresql';
import type { Pool } from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '@cohort/testing';
import { openProjectionOrm } from './projection-orm.js';
import { createGeneration, dropGeneration, ensureControlSchema, listGenerations, readCheckpoint } from './generations.js';

describe('generations', () => {
  let db: TestDatabase;
  let orm: MikroORM;
  let pool: Pool;
  beforeAll(async () => {
    db = await createTestDatabase('generations');
    orm = await openProjectionOrm({ databaseUrl: db.url });
    pool = await orm.em.getConnection().getNativeClient();
    await ensureControlSchema(pool, 'proj');
  });
  afterAll(async () => {
    await orm.close(true);
    await db.dispose();
  });

  it('gives a generation made after one was dropped a number of its own, with its tables set up', async () => {
    const live = await createGeneration(orm, pool, 'proj', 'live');
    const failed = await createGeneration(orm, pool, 'proj', 'building');
    await dropGeneration(pool, 'proj', failed);
    // The same process (and migrator) again: a reused name used to find no migrations table.
    const next = await createGeneration(orm, pool, 'proj', 'building');
    expect([live.generation, failed.generation, next.generation]).toEqual([1, 2, 3]);
    expect(next.schema).toBe('proj_g3');
    expect(await readCheckpoint(pool, next.schema)).toBe(0);
    expect((await listGenerations(pool, 'proj')).map((g) => [g.generation, g.status])).toEqual([
      [1, 'live'],
      [3, 'building'],
    ]);
  });

  it('numbers on from the generations already listed when the counter is new (a database from before it)', async () => {
    await pool.query(`DROP SEQUENCE proj.projection_generation_numbers`);
    await ensureControlSchema(pool, 'proj');
    const next = await createGeneration(orm, pool, 'proj', 'building');
    expect(next.generation).toBe(4);
  });

  it('leaves no schema behind when making a generation fails half-way', async () => {
    // Fails the last step, when the schema and its tables exist.
    await pool.query(`CREATE FUNCTION proj.refuse() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'disk full'; END $$`);
    await pool.query(`CREATE TRIGGER refuse BEFORE INSERT ON proj.projection_generations EXECUTE FUNCTION proj.refuse()`);
    try {
      await expect(createGeneration(orm, pool, 'proj', 'building')).rejects.toThrow(/disk full/);
    } finally {
      await pool.query(`DROP TRIGGER refuse ON proj.projection_generations`);
    }
    const schemas = await pool.query<{ schema_name: string }>(
      `SELECT schema_name FROM information_schema.schemata WHERE schema_name LIKE 'proj\\_g%' ORDER BY 1`,
    );
    expect(schemas.rows.map((r) => r.schema_name)).toEqual(['proj_g1', 'proj_g3', 'proj_g4']);
    expect((await createGeneration(orm, pool, 'proj', 'building')).generation).toBe(6);
  });
});
