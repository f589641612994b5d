import type { Pool } from 'pg';

/**
 * Drops the secondary indexes (neither primary key nor unique: the upserts
 * need those) of a generation's tables and returns the statements that make
 * them again. A generation being rebuilt has no readers, so every batch would
 * otherwise pay to maintain indexes nobody uses yet; building each one once
 * from the finished table is far cheaper.
 */
export async function dropSecondaryIndexes(pool: Pool, schema: string): Promise<string[]> {
  const result = await pool.query<{ name: string; definition: string }>(
    `SELECT ic.relname AS name, pg_get_indexdef(i.indexrelid) AS definition
       FROM pg_index i
       JOIN pg_class ic ON ic.oid = i.indexrelid
       JOIN pg_namespace n ON n.oid = ic.relnamespace
      WHERE n.nspname = $1 AND NOT i.indisprimary AND NOT i.indisunique
      ORDER BY ic.relname`,
    [schema],
  );
  for (const { name } of result.rows) await pool.query(`DROP INDEX "${schema}"."${name.replaceAll('"', '""')}"`);
  return result.rows.map((r) => r.definition);
}

/** Makes indexes dropped by dropSecondaryIndexes again. */
export async function createIndexes(pool: Pool, definitions: readonly string[]): Promise<void> {
  for (const definition of definitions) await pool.query(definition);
}
