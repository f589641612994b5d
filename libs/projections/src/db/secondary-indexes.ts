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
  if (result.rows.length > 0) {
    // One statement: each DROP INDEX is its own catalog transaction and round trip otherwise.
    await pool.query(`DROP INDEX ${result.rows.map(({ name }) => `"${schema}"."${name.replaceAll('"', '""')}"`).join(', ')}`);
  }
  return result.rows.map((r) => r.definition);
}

/**
 * Makes indexes left out while a generation was filled, several at once on
 * the pool's connections, in the order given: each build is one table scan
 * and sort, and Postgres runs them side by side. Each may take one parallel
 * worker, which Postgres gives only to a table large enough to gain from it.
 */
export async function createIndexes(pool: Pool, definitions: readonly string[]): Promise<void> {
  const queue = [...definitions];
  const worker = async () => {
    for (let definition = queue.shift(); definition !== undefined; definition = queue.shift()) {
      try {
        await pool.query(`BEGIN; SET LOCAL max_parallel_maintenance_workers = 1; ${definition}; COMMIT`);
      } catch (error) {
        queue.length = 0; // start no more builds
        throw error;
      }
    }
  };
  // All builds settle before a failure is reported, so none is left running behind the caller.
  const results = await Promise.allSettled(Array.from({ length: Math.min(CONCURRENT_BUILDS, queue.length) }, worker));
  const failed = results.find((r) => r.status === 'rejected');
  if (failed) throw failed.reason;
}

const CONCURRENT_BUILDS = 3;
