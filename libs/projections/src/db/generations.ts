import type { MikroORM } from '@mikro-orm/postgresql';
import type { Pool, PoolClient } from 'pg';
import { CURRENT_SCHEMA } from '../migrations/current-schema.js';
import { PROJECTION_MIGRATIONS } from '../migrations/index.js';
import { dropSecondaryIndexes } from './secondary-indexes.js';
import { GENERATION_TABLES } from './table-columns.js';

/** `spare`: made ahead, empty, for the next rebuild; `retired`: replaced, being dropped. */
export type GenerationStatus = 'spare' | 'building' | 'live' | 'retired';

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

/** Creates a new generation with all its indexes: see reserveGeneration and setUpGeneration. */
export async function createGeneration(orm: MikroORM, pool: Pool, base: string, status: GenerationStatus): Promise<Generation> {
  const generation = await reserveGeneration(pool, base, status);
  await setUpGeneration(orm, pool, base, generation, { deferIndexes: false, durable: true });
  return generation;
}

/**
 * Gives a new generation its number, one round trip; nothing exists of it
 * until setUpGeneration. The number is never one given before, even to a
 * generation since dropped: the migrator remembers which schemas it has set
 * up, and would take a new schema of an old name for the old one.
 */
export async function reserveGeneration(pool: Pool, base: string, status: GenerationStatus): Promise<Generation> {
  const numbers = `'"${base}".projection_generation_numbers'`;
  const next = await pool.query<{ n: string }>(
    `SELECT setval(${numbers}, greatest(nextval(${numbers}), (SELECT coalesce(max(generation), 0) + 1 FROM "${base}".projection_generations))) AS n`,
  );
  const generation = Number(next.rows[0]!.n);
  return { generation, schema: generationSchema(base, generation), status };
}

export interface SetUpOptions {
  /** Leave out the secondary indexes, for the caller to make once the tables are full (see createIndexes). */
  readonly deferIndexes: boolean;
  /** Whether the commit waits for the disk: not needed for a generation nobody reads yet. */
  readonly durable: boolean;
}

/**
 * Makes a reserved generation's schema and tables in one round trip (see
 * CURRENT_SCHEMA), sets its checkpoint to 0 and lists it, all in one
 * transaction; migrations newer than CURRENT_SCHEMA are then run the slow
 * way. Returns the secondary indexes left to make when they are deferred.
 */
export async function setUpGeneration(
  orm: MikroORM,
  pool: Pool,
  base: string,
  { generation, schema, status }: Generation,
  options: SetUpOptions,
): Promise<string[]> {
  // With migrations newer than CURRENT_SCHEMA, the indexes are made first: those migrations may change them.
  const behind = PROJECTION_MIGRATIONS.some(({ name }) => !CURRENT_SCHEMA.migrations.includes(name));
  const deferNow = options.deferIndexes && !behind;
  const statements = [
    // A multi-statement query is one transaction: all of it is made, or none.
    ...(options.durable ? [] : [`SELECT set_config('synchronous_commit', 'off', true)`]),
    `DROP SCHEMA IF EXISTS "${schema}" CASCADE`,
    `CREATE SCHEMA "${schema}"`,
    ...CURRENT_SCHEMA.tables(schema),
    ...(deferNow ? [] : CURRENT_SCHEMA.secondaryIndexes(schema)),
    `INSERT INTO "${schema}".mikro_orm_migrations (name) VALUES ${CURRENT_SCHEMA.migrations.map((name) => `('${name}')`).join(', ')}`,
    `INSERT INTO "${schema}".projection_checkpoint (id, position, updated_at) VALUES ('live', 0, now())`,
    `INSERT INTO "${base}".projection_generations (generation, schema_name, status) VALUES (${generation}, '${schema}', '${status}')`,
  ];
  await pool.query(statements.join(';\n'));
  if (!behind) return deferNow ? CURRENT_SCHEMA.secondaryIndexes(schema) : [];
  try {
    await migrateGeneration(orm, pool, schema);
    return options.deferIndexes ? await dropSecondaryIndexes(pool, schema) : [];
  } catch (error) {
    // Listed already: dropped here rather than left for the next start to find.
    await dropGeneration(pool, base, { generation, schema, status }).catch(() => undefined);
    throw error;
  }
}

/**
 * Brings the live generation up to date. Readers' views depend on its
 * columns, and Postgres will not change the type of a column a view uses, so
 * when a migration is pending the views are dropped first; the caller points
 * them at the generation again (see pointViewsAt). Readers get errors only in
 * between, and only when there was a migration to run.
 */
export async function migrateLiveGeneration(orm: MikroORM, pool: Pool, base: string, schema: string): Promise<void> {
  const executed = await pool
    .query<{ name: string }>(`SELECT name FROM "${schema}".mikro_orm_migrations`)
    .then((r) => new Set(r.rows.map((row) => row.name)))
    .catch(() => new Set<string>());
  if (PROJECTION_MIGRATIONS.every(({ name }) => executed.has(name))) return;
  await dropViews(pool, base);
  await migrateGeneration(orm, pool, schema);
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
  await dropViews(client, base);
  for (const table of GENERATION_TABLES) {
    await client.query(`CREATE VIEW "${base}"."${table}" AS SELECT * FROM "${schema}"."${table}"`);
  }
}

/** Drops every view of the base schema, in one statement: a table a migration removed leaves its view behind otherwise. */
async function dropViews(db: Pool | PoolClient, base: string): Promise<void> {
  const { rows } = await db.query<{ name: string }>('SELECT viewname AS name FROM pg_views WHERE schemaname = $1', [base]);
  if (rows.length === 0) return;
  await db.query(`DROP VIEW ${rows.map(({ name }) => `"${base}"."${name.replaceAll('"', '""')}"`).join(', ')}`);
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
