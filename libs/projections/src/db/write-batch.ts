import type { PoolClient } from 'pg';
import type { BatchRows } from '../project/projection-batch.js';
import { JsonText, type Row } from '../project/rows.js';
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
 * Writes one batch as ONE statement: a data-modifying CTE per table with rows
 * (all of a batch's rows have distinct keys per table), and the checkpoint,
 * which must still be where this projector left it. The caller runs it inside
 * one transaction, so rows and checkpoint commit together or not at all. One
 * round trip instead of one per table: on a busy machine every round trip
 * waits for Postgres and then this process to be scheduled again.
 *
 * Rows travel column by column: scalar columns as typed arrays expanded by
 * `unnest`, JSON columns as one JSON array each, indexed by row. Postgres
 * parses typed arrays faster than one JSON document of whole rows, and JSON
 * kept out of array literals spares escaping every quote of every document.
 */
export async function writeBatch(client: PoolClient, schema: string, rows: BatchRows, from: number): Promise<void> {
  const s = `"${schema}"`;
  const statement = new BatchStatement();
  statement.upsert(s, 'tasks', rows.tasks, ['id']);
  statement.upsert(s, 'runs', rows.runs, ['id']);
  statement.upsert(s, 'workspaces', rows.workspaces, ['run_id']);
  statement.upsert(s, 'pull_requests', rows.pullRequests, ['task_id']);
  statement.upsert(s, 'stage_visits', rows.stageVisits, ['task_id', 'seq']);
  // Plain inserts: a timeline row is written only with the checkpoint moving past its position, so none
  // exists yet above the checkpoint, and the conflict check would cost the largest table for nothing.
  statement.insert(s, 'task_timeline', rows.timeline);
  statement.upsert(s, 'repos', rows.repos, ['id'], ['created_at']);
  statement.upsert(s, 'secrets', rows.secretUpserts, ['scope', 'name']);
  if (rows.secretDeletes.length > 0) {
    const [scope, name] = statement.params(scalarColumn(rows.secretDeletes, 'scope'), scalarColumn(rows.secretDeletes, 'name'));
    statement.add(
      `DELETE FROM ${s}.secrets t USING unnest(${scope}::text[], ${name}::text[]) AS x(scope, name) WHERE t.scope = x.scope AND t.name = x.name`,
    );
  }
  if (rows.costs.length > 0) {
    const columns = COLUMNS.cost_daily;
    const names = Object.keys(columns);
    statement.add(
      `INSERT INTO ${s}.cost_daily (${names.join(', ')})
       SELECT day, repo_id, agent, model, sum(cost_usd), sum(input_tokens), sum(cached_input_tokens), sum(output_tokens), sum(runs)
       FROM (${statement.select(rows.costs, columns)}) AS x
       GROUP BY day, repo_id, agent, model
       ON CONFLICT (day, repo_id, agent, model) DO UPDATE SET
         cost_usd = cost_daily.cost_usd + excluded.cost_usd,
         input_tokens = cost_daily.input_tokens + excluded.input_tokens,
         cached_input_tokens = cost_daily.cached_input_tokens + excluded.cached_input_tokens,
         output_tokens = cost_daily.output_tokens + excluded.output_tokens,
         runs = cost_daily.runs + excluded.runs`,
    );
  }
  const [previous, next] = statement.params(from, rows.lastPosition);
  const moved = await client.query(
    statement.sql(
      `UPDATE ${s}.projection_checkpoint SET position = ${next}, updated_at = now() WHERE id = 'live' AND position = ${previous} RETURNING position`,
    ),
    statement.values,
  );
  if (moved.rowCount !== 1) throw new CheckpointMoved(schema, from);
}

/** The parts and parameters of a batch's single statement. */
class BatchStatement {
  readonly values: unknown[] = [];
  private readonly parts: string[] = [];

  /** Adds parameters; returns their placeholders. */
  params(...values: unknown[]): string[] {
    return values.map((value) => `$${this.values.push(value)}`);
  }

  /** Adds a data-modifying statement to run with the final one. */
  add(sql: string): void {
    this.parts.push(sql);
  }

  sql(final: string): string {
    if (this.parts.length === 0) return final;
    return `WITH ${this.parts.map((part, i) => `w${i} AS (${part})`).join(', ')} ${final}`;
  }

  upsert(s: string, table: TableName, rows: readonly Row[], key: readonly string[], keep: readonly string[] = []): void {
    if (rows.length === 0) return;
    const columns: Readonly<Record<string, string>> = COLUMNS[table];
    const names = Object.keys(columns);
    const updates = names.filter((n) => !key.includes(n) && !keep.includes(n)).map((n) => `${n} = excluded.${n}`);
    this.add(
      `INSERT INTO ${s}.${table} (${names.join(', ')}) ${this.select(rows, columns)} ` +
        `ON CONFLICT (${key.join(', ')}) DO ${updates.length > 0 ? `UPDATE SET ${updates.join(', ')}` : 'NOTHING'}`,
    );
  }

  insert(s: string, table: TableName, rows: readonly Row[]): void {
    if (rows.length === 0) return;
    const columns: Readonly<Record<string, string>> = COLUMNS[table];
    this.add(`INSERT INTO ${s}.${table} (${Object.keys(columns).join(', ')}) ${this.select(rows, columns)}`);
  }

  /**
   * `SELECT <columns> FROM unnest($a::text[], …) WITH ORDINALITY AS x(…)`
   * over the table's columns, in order, adding their parameters: one array
   * per scalar column, one JSON array text per JSON column.
   */
  select(rows: readonly Row[], columns: Readonly<Record<string, string>>): string {
    const names = Object.keys(columns);
    const scalars = names.filter((n) => columns[n] !== 'jsonb');
    const arrays = scalars.map((n) => `${this.params(scalarColumn(rows, n))[0]!}::${columns[n]}[]`);
    const select = names.map((n) =>
      columns[n] === 'jsonb' ? `nullif((${this.params(jsonColumn(rows, n))[0]!}::jsonb) -> (x.row_number - 1)::int, 'null') AS ${n}` : n,
    );
    return `SELECT ${select.join(', ')} FROM unnest(${arrays.join(', ')}) WITH ORDINALITY AS x(${[...scalars, 'row_number'].join(', ')})`;
  }
}

/** Postgres text cannot hold NUL, so it is dropped from strings. */
function scalarColumn(rows: readonly Row[], name: string): unknown[] {
  const out = new Array<unknown>(rows.length);
  for (let i = 0; i < rows.length; i++) {
    const value = rows[i]![name];
    if (value === undefined) out[i] = null;
    else if (typeof value === 'string' && value.includes('\u0000')) out[i] = value.replaceAll('\u0000', '');
    else out[i] = value;
  }
  return out;
}

/** A JSON column as one JSON array (absent values as null). */
function jsonColumn(rows: readonly Row[], name: string): string {
  let json = '[';
  for (let i = 0; i < rows.length; i++) {
    const value = rows[i]![name];
    if (i > 0) json += ',';
    json += value instanceof JsonText ? value.text : JSON.stringify(value ?? null);
  }
  json += ']';
  // jsonb rejects the NUL escape, so it is dropped (an escaped backslash before "u0000" is not one).
  return json.includes('\\u0000') ? json.replace(NUL_ESCAPE, '$1') : json;
}

const NUL_ESCAPE = /(?<!\\)((?:\\\\)*)\\u0000/g;
