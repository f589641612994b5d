import type { PoolClient } from 'pg';
import type { BatchRows } from '../project/projection-batch.js';
import type { Row } from '../project/rows.js';
import { COLUMNS, type TableName } from './table-columns.js';

/** The checkpoint moved under us: another projector applied events to this generation. */
export class CheckpointMoved extends Error {
  override readonly name = 'CheckpointMoved';
  constructor(
    readonly schema: string,
    readonly expected: number,
  ) {
    super(
      `the checkpoint of ${schema} is no longer at ${expected}: another projector wrote to it; starting again from the stored checkpoint`,
    );
  }
}

/**
 * Writes one batch: one statement per table (rows travel as one JSON array
 * each) and the checkpoint, which must still be where this projector left it.
 * The caller runs it inside one transaction, so rows and checkpoint commit
 * together or not at all.
 */
export async function writeBatch(client: PoolClient, schema: string, rows: BatchRows, from: number): Promise<void> {
  const s = `"${schema}"`;
  await upsert(client, s, 'tasks', rows.tasks, ['id']);
  await upsert(client, s, 'runs', rows.runs, ['id']);
  await upsert(client, s, 'workspaces', rows.workspaces, ['run_id']);
  await upsert(client, s, 'pull_requests', rows.pullRequests, ['task_id']);
  await upsert(client, s, 'stage_visits', rows.stageVisits, ['task_id', 'seq']);
  await upsert(client, s, 'task_timeline', rows.timeline, ['position']);
  await upsert(client, s, 'repos', rows.repos, ['id'], ['created_at']);
  await upsert(client, s, 'secrets', rows.secretUpserts, ['scope', 'name']);
  if (rows.secretDeletes.length > 0) {
    await client.query(
      `DELETE FROM ${s}.secrets t USING jsonb_to_recordset($1::jsonb) AS x(scope text, name text) WHERE t.scope = x.scope AND t.name = x.name`,
      [toJson(rows.secretDeletes)],
    );
  }
  if (rows.costs.length > 0) {
    const c = COLUMNS.cost_daily;
    await client.query(
      `INSERT INTO ${s}.cost_daily (day, repo_id, agent, model, cost_usd, input_tokens, cached_input_tokens, output_tokens, runs)
       SELECT day, repo_id, agent, model, sum(cost_usd), sum(input_tokens), sum(cached_input_tokens), sum(output_tokens), sum(runs)
       FROM jsonb_to_recordset($1::jsonb) AS x(${recordType(c)})
       GROUP BY day, repo_id, agent, model
       ON CONFLICT (day, repo_id, agent, model) DO UPDATE SET
         cost_usd = cost_daily.cost_usd + excluded.cost_usd,
         input_tokens = cost_daily.input_tokens + excluded.input_tokens,
         cached_input_tokens = cost_daily.cached_input_tokens + excluded.cached_input_tokens,
         output_tokens = cost_daily.output_tokens + excluded.output_tokens,
         runs = cost_daily.runs + excluded.runs`,
      [toJson(rows.costs)],
    );
  }
  const moved = await client.query(
    `UPDATE ${s}.projection_checkpoint SET position = $2, updated_at = now() WHERE id = 'live' AND position = $1`,
    [from, rows.lastPosition],
  );
  if (moved.rowCount !== 1) throw new CheckpointMoved(schema, from);
}

const sqlCache = new Map<string, string>();

async function upsert(
  client: PoolClient,
  s: string,
  table: TableName,
  rows: readonly Row[],
  key: readonly string[],
  keep: readonly string[] = [],
) {
  if (rows.length === 0) return;
  const cacheKey = `${s}.${table}`;
  let sql = sqlCache.get(cacheKey);
  if (sql === undefined) {
    const columns = COLUMNS[table];
    const names = Object.keys(columns);
    const updates = names.filter((n) => !key.includes(n) && !keep.includes(n)).map((n) => `${n} = excluded.${n}`);
    sql =
      `INSERT INTO ${s}.${table} (${names.join(', ')}) SELECT ${names.join(', ')} FROM jsonb_to_recordset($1::jsonb) AS x(${recordType(columns)}) ` +
      `ON CONFLICT (${key.join(', ')}) DO ${updates.length > 0 ? `UPDATE SET ${updates.join(', ')}` : 'NOTHING'}`;
    sqlCache.set(cacheKey, sql);
  }
  await client.query(sql, [toJson(rows)]);
}

function recordType(columns: Record<string, string>): string {
  return Object.entries(columns)
    .map(([name, type]) => `${name} ${type}`)
    .join(', ');
}

/** JSON for a jsonb parameter; Postgres text cannot hold NUL, so it is dropped. */
function toJson(rows: readonly Row[]): string {
  const json = JSON.stringify(rows);
  return json.includes('\\u0000') ? json.replaceAll('\\u0000', '') : json;
}
