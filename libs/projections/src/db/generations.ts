import type { MikroORM } from '@mikro-orm/postgresql';
import type { Pool, PoolClient } from 'pg';
import { GENERATION_TABLES } from './table-columns.js';

export type GenerationStatus = 'building' | 'live';

export interface Generation {
  readonly generation: number;
  readonly schema: string;
  readonly status: GenerationStatus;
}

/** Schema names derive from a validated base (lower-case letters, digits, '_'), so they are safe to quote. */
export function generationSchema(base: string, generation: number): string {
  return `${base}_g${generation}`;
}

export function assertSchemaBase(base: string): string {
  if (!/^[a-z][a-z0-9_]{0,40}$/.test(base)) {
    throw new Error(`projection schema ${JSON.stringify(base)} is invalid: use lower-case letters, digits and "_", starting with a letter`);
  }
  return base;
}

/** The base schema holds the generations table and the views readers query. */
export async function ensureControlSchema(pool: Pool, base: string): Promise<void> {
  await pool.query(`CREATE SCHEMA IF NOT EXISTS "${base}"`);
  await pool.query(
    `CREATE TABLE IF NOT EXISTS "${base}".projection_generations (
       generation int PRIMARY KEY,
       schema_name text NOT NULL,
       status text NOT NULL,
       created_at timestamptz NOT NULL DEFAULT now(),
       live_at timestamptz
     )`,
  );
  await pool.query(`CREATE SEQUENCE IF NOT EXISTS "${base}".projection_generation_numbers`);
}

export async function listGenerations(pool: Pool | PoolClient, base: string): Promise<Generation[]> {
  const result = await pool.query<{ generation: number; schema_name: string; status: GenerationStatus }>(
    `SELECT generation, schema_name, status FROM "${base}".projection_generations ORDER BY generation`,
  );
  return result.rows.map((r) => ({ generation: r.generation, schema: r.schema_name, status: r.status }));
}

/**
 * Creates the schema of a new generation, brings its tables up to date and
 * sets its checkpoint to 0. Its number is never one given before, even to a
 * generation since dropped: the migrator remembers which schemas it has set
 * up, and would take a new schema of an old name for the old one.
 */
export async function createGeneration(orm: MikroORM, pool: Pool, base: string, status: GenerationStatus): Promise<Generation> {
  const numbers = `'"${base}".projection_generation_numbers'`;
  const next = await pool.query<{ n: string }>(
    `SELECT setval(${numbers}, greatest(nextval(${numbers}), (SELECT coalesce(max(generation), 0) + 1 FROM "${base}".projection_generations))) AS n`,
  );
  const generation = Number(next.rows[0]!.n);
  const schema = generationSchema(base, generation);
  try {
    await pool.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
    await pool.query(`CREATE SCHEMA "${schema}"`);
    await migrateGeneration(orm, pool, schema);
    await pool.query(`INSERT INTO "${base}".projection_generations (generation, schema_name, status) VALUES ($1, $2, $3)`, [
      generation,
      schema,
      status,
    ]);
  } catch (error) {
    // Unlisted, its number is never given again: nothing else would ever drop it.
    await pool.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`).catch(() => undefined);
    throw error;
  }
  return { generation, schema, status };
}

/** Runs pending migrations in one generation's schema; a no-op when it is up to date. */
export async function migrateGeneration(orm: MikroORM, pool: Pool, schema: string): Promise<void> {
  await pool.query(`CREATE SCHEMA IF NOT EXISTS "${schema}"`);
  await orm.migrator.up({ schema });
  await pool.query(
    `INSERT INTO "${schema}".projection_checkpoint (id, position, updated_at) VALUES ('live', 0, now()) ON CONFLICT (id) DO NOTHING`,
  );
}

/**
 * Points every view of the base schema at this generation's tables. Views are
 * dropped and made again (not replaced) so a generation with more columns
 * shows them; done in the caller's transaction so readers never see a mix.
 */
export async function pointViewsAt(client: PoolClient, base: string, schema: string): Promise<void> {
  for (const table of GENERATION_TABLES) {
    await client.query(`DROP VIEW IF EXISTS "${base}"."${table}"`);
    await client.query(`CREATE VIEW "${base}"."${table}" AS SELECT * FROM "${schema}"."${table}"`);
  }
}

export async function dropGeneration(pool: Pool, base: string, generation: Generation): Promise<void> {
  await pool.query(`DROP SCHEMA IF EXISTS "${generation.schema}" CASCADE`);
  await pool.query(`DELETE FROM "${base}".projection_generations WHERE generation = $1`, [generation.generation]);
}

export async function readCheckpoint(pool: Pool | PoolClient, schema: string): Promise<number> {
  const result = await pool.query<{ position: string }>(`SELECT position FROM "${schema}".projection_checkpoint WHERE id = 'live'`);
  return result.rows.length === 0 ? 0 : Number(result.rows[0]!.position);
}

/**
 * Runs `work` in a transaction on one pooled connection; `setup` (e.g. a
 * SET LOCAL) is sent with the BEGIN, saving a round trip.
 */
export async function inTransaction<T>(pool: Pool, work: (client: PoolClient) => Promise<T>, setup?: string): Promise<T> {
  const client = await pool.connect();
  let failed = false;
  try {
    await client.query(setup === undefined ? 'BEGIN' : `BEGIN; ${setup}`);
    const result = await work(client);
    await client.query('COMMIT');
    return result;
  } catch (error) {
    failed = true;
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  } finally {
    // A connection that failed mid-transaction may be broken: drop it rather than reuse it.
    client.release(failed);
  }
}
