import type pg from 'pg';
import { GENERATION_TABLES } from '../src/index.js';

const ORDER: Readonly<Record<string, string>> = {
  tasks: 'id',
  runs: 'id',
  workspaces: 'run_id',
  pull_requests: 'task_id',
  repos: 'id',
  secrets: 'scope, name',
  task_timeline: 'position',
  cost_daily: 'day, repo_id, agent, model',
  projection_checkpoint: 'id',
};

/** Every projected table of a schema as plain rows, in a stable order (the checkpoint's write time left out). */
export async function snapshotTables(pool: pg.Pool, schema: string): Promise<Record<string, unknown[]>> {
  const out: Record<string, unknown[]> = {};
  for (const table of GENERATION_TABLES) {
    const columns = table === 'projection_checkpoint' ? 'id, position' : '*';
    out[table] = (await pool.query(`SELECT ${columns} FROM "${schema}"."${table}" ORDER BY ${ORDER[table] ?? '1'}`)).rows;
  }
  return out;
}
