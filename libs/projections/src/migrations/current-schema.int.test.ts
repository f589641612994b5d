import { Migration } from '@mikro-orm/migrations';
import type { MikroORM } from '@mikro-orm/postgresql';
import type { Pool } from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '@cohort/testing';
import { ensureControlSchema, migrateGeneration, reserveGeneration, setUpGeneration } from '../db/generations.js';
import { openProjectionOrm } from '../db/projection-orm.js';
import { createIndexes } from '../db/secondary-indexes.js';
import { CURRENT_SCHEMA } from './current-schema.js';
import { PROJECTION_MIGRATIONS } from './index.js';

type Catalog = Record<'relations' | 'columns' | 'constraints' | 'indexes' | 'migrations' | 'checkpoint', unknown[]>;

/** Everything about a schema's tables that a migration can change, with the schema's name taken out. */
async function catalog(pool: Pool, schema: string): Promise<Catalog> {
  const anonymous = (rows: object[]) =>
    JSON.parse(JSON.stringify(rows).replaceAll(`"${schema}"`, 'S').replaceAll(schema, 'S')) as unknown[];
  const query = async (sql: string) => anonymous((await pool.query(sql, sql.includes('$1') ? [schema] : [])).rows);
  return {
    relations: await query(
      `SELECT c.relname, c.relkind, c.reloptions FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE n.nspname = $1 ORDER BY c.relname`,
    ),
    columns: await query(
      `SELECT c.relname, a.attname, format_type(a.atttypid, a.atttypmod) AS type, a.attnotnull, a.attstorage,
              pg_get_expr(d.adbin, d.adrelid) AS default, co.collname
         FROM pg_attribute a
         JOIN pg_class c ON c.oid = a.attrelid
         JOIN pg_namespace n ON n.oid = c.relnamespace
         LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
         LEFT JOIN pg_collation co ON co.oid = a.attcollation
        WHERE n.nspname = $1 AND c.relkind = 'r' AND a.attnum > 0 AND NOT a.attisdropped
        ORDER BY c.relname, a.attnum`,
    ),
    constraints: await query(
      `SELECT c.relname, k.conname, pg_get_constraintdef(k.oid) AS definition FROM pg_constraint k
         JOIN pg_class c ON c.oid = k.conrelid JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE n.nspname = $1 ORDER BY c.relname, k.conname`,
    ),
    indexes: await query(`SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = $1 ORDER BY indexname`),
    migrations: await query(`SELECT name FROM "${schema}".mikro_orm_migrations ORDER BY id`),
    checkpoint: await query(`SELECT id, position FROM "${schema}".projection_checkpoint`),
  };
}

describe('the current schema', () => {
  let db: TestDatabase;
  let orm: MikroORM;
  let pool: Pool;
  let migrated: Catalog;
  beforeAll(async () => {
    db = await createTestDatabase('currentschema');
    orm = await openProjectionOrm({ databaseUrl: db.url });
    pool = await orm.em.getConnection().getNativeClient();
    await ensureControlSchema(pool, 'cs');
    await migrateGeneration(orm, pool, 'by_migrations');
    migrated = await catalog(pool, 'by_migrations');
  });
  afterAll(async () => {
    await orm.close(true);
    await db.dispose();
  });

  it('stands for every migration there is', () => {
    expect(CURRENT_SCHEMA.migrations).toEqual(PROJECTION_MIGRATIONS.map((m) => m.name));
  });

  it('makes a generation exactly like the one running every migration makes', async () => {
    const generation = await reserveGeneration(pool, 'cs', 'live');
    expect(await setUpGeneration(orm, pool, 'cs', generation, { deferIndexes: false, durable: true })).toEqual([]);
    expect(await catalog(pool, generation.schema)).toEqual(migrated);
    // The migrator takes it as up to date.
    await migrateGeneration(orm, pool, generation.schema);
    expect(await catalog(pool, generation.schema)).toEqual(migrated);
  });

  it('leaves the secondary indexes for later when asked, and the same generation once they are made', async () => {
    const generation = await reserveGeneration(pool, 'cs', 'building');
    const deferred = await setUpGeneration(orm, pool, 'cs', generation, { deferIndexes: true, durable: false });
    expect(deferred).toHaveLength(6);
    const before = await catalog(pool, generation.schema);
    expect(before.indexes.map((i) => (i as { indexname: string }).indexname).filter((name) => !name.endsWith('_pkey'))).toEqual([]);
    await createIndexes(pool, deferred);
    expect(await catalog(pool, generation.schema)).toEqual(migrated);
  });

  it('brings a generation up to date the slow way when a migration is newer than it', async () => {
    class Migration20991231000000_kind_index extends Migration {
      override name = 'Migration20991231000000_kind_index';
      override up(): void {
        this.addSql(`create index "tasks_kind_idx" on "tasks" ("kind");`);
      }
    }
    PROJECTION_MIGRATIONS.push({ name: Migration20991231000000_kind_index.name, class: Migration20991231000000_kind_index });
    // The migrator takes its list when it is opened.
    const later = await openProjectionOrm({ databaseUrl: db.url });
    try {
      const generation = await reserveGeneration(pool, 'cs', 'building');
      const deferred = await setUpGeneration(later, pool, 'cs', generation, { deferIndexes: true, durable: false });
      expect(deferred).toHaveLength(7);
      expect(deferred.join('\n')).toContain('tasks_kind_idx');
      const made = await catalog(pool, generation.schema);
      expect(made.migrations.at(-1)).toEqual({ name: 'Migration20991231000000_kind_index' });
      expect(made.indexes.every((i) => (i as { indexname: string }).indexname.endsWith('_pkey'))).toBe(true);
    } finally {
      PROJECTION_MIGRATIONS.pop();
      await later.close(true);
    }
  });
});
