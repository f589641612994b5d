import type { Pool } from 'pg';
import type { BatchRows, KeyedRows } from '../project/projection-batch.js';
import type { Row } from '../project/rows.js';
import type { ByteWriter } from './byte-writer.js';
import { copyLine, TIMELINE_COPY_COLUMNS } from './copy-text.js';
import { SqlScript } from './sql-script.js';
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

export interface WriteBatchOptions {
  /** Whether the commit waits for the disk; off only while nobody reads the generation. */
  readonly durable: boolean;
}

/**
 * A batch's rows as the statements that write them (no transaction, no
 * checkpoint: see writeBatch). Rows whose key cannot exist yet (nearly all of
 * a rebuild's) travel as COPY text straight into their table: Postgres reads
 * it much faster than statement parameters, and it costs far less here to
 * write than pg's array literals. The others (a task's later events,
 * aggregates such as spend) are upserted from a JSON literal. The COPY rows
 * are written into `bytes`, which must stay untouched until the batch is
 * written.
 */
export function encodeBatch(schema: string, rows: BatchRows, bytes: ByteWriter): SqlScript {
  const s = `"${schema}"`;
  const script = new SqlScript();
  script.copy(`${s}.task_timeline (${TIMELINE_COPY_COLUMNS.join(', ')})`, rows.timeline);
  write(script, bytes, s, 'tasks', rows.tasks, ['id']);
  write(script, bytes, s, 'runs', rows.runs, ['id']);
  write(script, bytes, s, 'workspaces', rows.workspaces, ['run_id']);
  write(script, bytes, s, 'pull_requests', rows.pullRequests, ['task_id']);
  upsert(script, s, 'repos', rows.repos, ['id'], ['created_at']);
  upsert(script, s, 'secrets', rows.secretUpserts, ['scope', 'name']);
  if (rows.secretDeletes.length > 0) {
    script.add(
      `DELETE FROM ${s}.secrets t USING json_to_recordset(${jsonRows(rows.secretDeletes)}) AS x(scope text, name text) ` +
        'WHERE t.scope = x.scope AND t.name = x.name',
    );
  }
  if (rows.costs.length > 0) {
    // A group comes as its exact total or as its deltas (see CostTotals): summed as numeric either way.
    script.add(
      `INSERT INTO ${s}.cost_daily (${Object.keys(COLUMNS.cost_daily).join(', ')})
       SELECT day, repo_id, agent, model, sum(cost_usd), sum(input_tokens), sum(cached_input_tokens), sum(output_tokens), sum(runs)
       FROM json_populate_recordset(NULL::${s}.cost_daily, ${jsonRows(rows.costs)})
       GROUP BY day, repo_id, agent, model
       ON CONFLICT (day, repo_id, agent, model) DO UPDATE SET
         cost_usd = cost_daily.cost_usd + excluded.cost_usd,
         input_tokens = cost_daily.input_tokens + excluded.input_tokens,
         cached_input_tokens = cost_daily.cached_input_tokens + excluded.cached_input_tokens,
         output_tokens = cost_daily.output_tokens + excluded.output_tokens,
         runs = cost_daily.runs + excluded.runs`,
    );
  }
  return script;
}

/**
 * Writes an encoded batch and its checkpoint (from `from` to `to`) in ONE
 * transaction, in two round trips: a script (see SqlScript) that moves the
 * checkpoint — which must still be where this projector left it — and writes
 * every table, then COMMIT. On a busy machine every round trip waits for
 * Postgres and then this process to be scheduled again.
 */
export async function writeBatch(
  pool: Pool,
  schema: string,
  batch: SqlScript,
  from: number,
  to: number,
  options: WriteBatchOptions,
): Promise<void> {
  const script = new SqlScript();
  script.add('BEGIN');
  if (!options.durable) script.add('SET LOCAL synchronous_commit = off');
  // First, so a second writer waits here for the row lock, then finds the checkpoint moved.
  const checkpoint = script.add(
    `UPDATE "${schema}".projection_checkpoint SET position = ${to}, updated_at = now() WHERE id = 'live' AND position = ${from}`,
  );
  script.include(batch);
  const client = await pool.connect();
  let failed = true;
  try {
    let error: unknown;
    await script.run(client).catch((e: unknown) => (error = e));
    // The transaction is void either way; say why in the words that matter.
    if (script.tags[checkpoint] === 'UPDATE 0') throw new CheckpointMoved(schema, from);
    if (error !== undefined) throw error;
    await client.query('COMMIT');
    failed = false;
  } finally {
    if (failed) await client.query('ROLLBACK').catch(() => undefined);
    // A connection that failed mid-transaction may be broken: drop it rather than reuse it.
    client.release(failed);
  }
}

function insert(script: SqlScript, bytes: ByteWriter, s: string, table: TableName, rows: readonly Row[]): void {
  if (rows.length === 0) return;
  const columns = COLUMNS[table];
  const start = bytes.size;
  for (const row of rows) bytes.write(copyLine(row, columns));
  script.copy(`${s}.${table} (${Object.keys(columns).join(', ')})`, [bytes.since(start)]);
}

function write(script: SqlScript, bytes: ByteWriter, s: string, table: TableName, rows: KeyedRows, key: readonly string[]): void {
  insert(script, bytes, s, table, rows.added);
  upsert(script, s, table, rows.updated, key);
}

function upsert(
  script: SqlScript,
  s: string,
  table: TableName,
  rows: readonly Row[],
  key: readonly string[],
  keep: readonly string[] = [],
): void {
  if (rows.length === 0) return;
  const names = Object.keys(COLUMNS[table]);
  const updates = names.filter((n) => !key.includes(n) && !keep.includes(n)).map((n) => `${n} = excluded.${n}`);
  script.add(
    `INSERT INTO ${s}.${table} (${names.join(', ')}) SELECT ${names.join(', ')} FROM json_populate_recordset(NULL::${s}.${table}, ${jsonRows(rows)}) ` +
      `ON CONFLICT (${key.join(', ')}) DO ${updates.length > 0 ? `UPDATE SET ${updates.join(', ')}` : 'NOTHING'}`,
  );
}

/**
 * Rows as a JSON array in a dollar-quoted literal, for the few rows that are
 * upserted rather than copied (a script takes no parameters). Postgres text
 * cannot hold NUL, so its escape is dropped as COPY text drops it.
 */
function jsonRows(rows: readonly Row[]): string {
  let json = JSON.stringify(rows);
  if (json.includes('\\u0000')) json = json.replace(NUL_ESCAPE, '$1');
  let tag = '$r$';
  for (let n = 0; json.includes(tag); n++) tag = `$r${n}$`;
  return `${tag}${json}${tag}`;
}

const NUL_ESCAPE = /(?<!\\)((?:\\\\)*)\\u0000/g;
