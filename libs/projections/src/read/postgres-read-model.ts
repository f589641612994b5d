import type { NatsConnection, Subscription } from '@nats-io/transport-node';
import pg from 'pg';
import type { Topology } from '@cohort/contracts';
import { assertSchemaBase } from '../db/generations.js';
import { decodeCursor, encodeCursor, pageSize } from './cursor.js';
import type {
  CostGroup,
  CostQuery,
  CostRow,
  Page,
  PageRequest,
  PullRequestRow,
  ReadModel,
  RepoRow,
  RunRow,
  SecretRow,
  StageVisitRow,
  TaskCounts,
  TaskFilter,
  TaskRow,
  TimelineEntryRow,
  WorkspaceRow,
} from './read-model.js';
import { InvalidReadQuery, ReadModelBehind, ReadModelUnavailable } from './read-model-errors.js';
import {
  toPullRequestRow,
  toRepoRow,
  toRunRow,
  toSecretRow,
  toStageHistory,
  toTaskRow,
  toTimelineRow,
  toWorkspaceRow,
} from './row-mappers.js';

export interface PostgresReadModelOptions {
  /** Postgres holding the projections. */
  readonly databaseUrl: string;
  /**
   * Schema of the views over the live generation.
   * @default the topology's namespace, else "cohort"
   */
  readonly schema?: string;
  /** With both, waitFor wakes as soon as the projector announces a batch on `<ns>.projected`. */
  readonly nc?: NatsConnection;
  readonly topology?: Topology;
  /**
   * Connections in the pool.
   * @default 5
   */
  readonly poolSize?: number;
  /**
   * How often waitFor reads the checkpoint.
   * @default 200
   */
  readonly pollIntervalMs?: number;
  /**
   * How long a query may run before it fails as unavailable.
   * @default 10000
   */
  readonly statementTimeoutMs?: number;
}

const COST_GROUPS: Readonly<Record<CostGroup, string>> = { day: 'day', repo: 'repo_id', agent: 'agent', model: 'model' };
const DAY = /^\d{4}-\d{2}-\d{2}$/;
/** undefined_table, invalid_schema_name */
const NOT_SET_UP = new Set(['42P01', '3F000']);

/**
 * The ReadModel over Postgres. Reads the views of the base schema, which the
 * projector points at the live generation, so a rebuild switches readers over
 * in one transaction without them noticing.
 */
export class PostgresReadModel implements ReadModel {
  private readonly pool: pg.Pool;
  private readonly s: string;
  private readonly pollIntervalMs: number;
  private subscription: Subscription | undefined;
  private notified = 0;
  private readonly waiters = new Set<() => void>();

  constructor(private readonly options: PostgresReadModelOptions) {
    this.s = `"${assertSchemaBase(options.schema ?? options.topology?.namespace ?? 'cohort')}"`;
    this.pollIntervalMs = options.pollIntervalMs ?? 200;
    this.pool = new pg.Pool({
      connectionString: options.databaseUrl,
      max: options.poolSize ?? 5,
      statement_timeout: options.statementTimeoutMs ?? 10_000,
      connectionTimeoutMillis: 5_000,
      application_name: 'cohort-read-model',
    });
    // An idle connection dropped by the server must not take the process down; the next query reports it.
    this.pool.on('error', () => undefined);
    if (options.nc && options.topology) this.listen(options.nc, options.topology);
  }

  async close(): Promise<void> {
    this.subscription?.unsubscribe();
    this.subscription = undefined;
    for (const wake of this.waiters) wake();
    await this.pool.end();
  }

  /**
   * Before the projector has set the projections up (its first start), the
   * checkpoint is unavailable like every other query, rather than reading as
   * 0 while the tables it would promise are not there yet.
   */
  async checkpoint(): Promise<number> {
    const checkpoint = await this.readCheckpoint();
    if (checkpoint === undefined) {
      throw new ReadModelUnavailable(
        'reading the checkpoint',
        new Error('the projections are not set up yet: the projector has not started'),
      );
    }
    return checkpoint;
  }

  async waitFor(position: number, timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      if (this.notified >= position) return;
      // Not set up yet: the projector may be starting, so wait as for a checkpoint at 0.
      const checkpoint = (await this.readCheckpoint()) ?? 0;
      if (checkpoint >= position) return;
      const left = deadline - Date.now();
      if (left <= 0) throw new ReadModelBehind(position, checkpoint, timeoutMs);
      await this.sleepOrWake(Math.min(left, this.pollIntervalMs), position);
    }
  }

  /** The live checkpoint, or undefined when the projector has not created the views yet. */
  private async readCheckpoint(): Promise<number | undefined> {
    try {
      const result = await this.pool.query<{ position: string }>(`SELECT position FROM ${this.s}.projection_checkpoint WHERE id = 'live'`);
      return result.rows.length === 0 ? undefined : Number(result.rows[0]!.position);
    } catch (error) {
      if (NOT_SET_UP.has((error as { code?: string }).code ?? '')) return undefined;
      throw new ReadModelUnavailable('reading the checkpoint', error);
    }
  }

  async tasks(filter: TaskFilter, page: PageRequest): Promise<Page<TaskRow>> {
    const limit = pageSize(page.first);
    const where: string[] = [];
    const params: unknown[] = [];
    const add = (sql: (p: string) => string, value: unknown) => {
      params.push(value);
      where.push(sql(`$${params.length}`));
    };
    if (filter.states?.length) add((p) => `state = ANY(${p}::text[])`, filter.states);
    if (filter.stages?.length) add((p) => `stage = ANY(${p}::text[])`, filter.stages);
    if (filter.repoIds?.length) add((p) => `repo_id = ANY(${p}::text[])`, filter.repoIds);
    if (filter.kinds?.length) add((p) => `kind = ANY(${p}::text[])`, filter.kinds);
    if (filter.text?.trim()) {
      add((p) => `(title ILIKE ${p} OR prompt ILIKE ${p} OR id ILIKE ${p})`, `%${filter.text.trim().replace(/[\\%_]/g, (c) => `\\${c}`)}%`);
    }
    const countWhere = where.length ? `WHERE ${where.join(' AND ')}` : '';
    const countParams = [...params];
    if (page.after !== undefined) {
      const [createdAt, id] = decodeCursor<[string, string]>(page.after, isTaskCursor);
      params.push(createdAt, id);
      where.push(`(created_at, id) < ($${params.length - 1}::timestamptz, $${params.length})`);
    }
    const listWhere = where.length ? `WHERE ${where.join(' AND ')}` : '';
    params.push(limit + 1);
    const [rows, count] = await Promise.all([
      this.query<Record<string, unknown>>(
        'listing tasks',
        `SELECT *, to_json(created_at)#>>'{}' AS cursor_at FROM ${this.s}.tasks ${listWhere} ORDER BY created_at DESC, id DESC LIMIT $${params.length}`,
        params,
      ),
      this.query<{ n: string }>('counting tasks', `SELECT count(*) AS n FROM ${this.s}.tasks ${countWhere}`, countParams),
    ]);
    const pageRows = rows.slice(0, limit);
    const last = pageRows.at(-1);
    return {
      rows: pageRows.map(toTaskRow),
      totalCount: Number(count[0]!.n),
      endCursor: last ? encodeCursor([String(last.cursor_at), String(last.id)]) : undefined,
      hasNextPage: rows.length > limit,
    };
  }

  async task(id: string): Promise<TaskRow | undefined> {
    const rows = await this.query<Record<string, unknown>>('reading a task', `SELECT * FROM ${this.s}.tasks WHERE id = $1`, [id]);
    return rows[0] && toTaskRow(rows[0]);
  }

  async tasksChangedAfter(position: number, limit: number): Promise<readonly TaskRow[]> {
    const rows = await this.query<Record<string, unknown>>(
      'reading changed tasks',
      `SELECT * FROM ${this.s}.tasks WHERE position > $1 ORDER BY position LIMIT $2`,
      [position, limit],
    );
    return rows.map(toTaskRow);
  }

  async taskCounts(): Promise<TaskCounts> {
    const rows = await this.query<{ state: string; n: string }>(
      'counting tasks',
      `SELECT state, count(*) AS n FROM ${this.s}.tasks GROUP BY state`,
    );
    return { byState: Object.fromEntries(rows.map((r) => [r.state, Number(r.n)])) };
  }

  async runs(taskId: string): Promise<readonly RunRow[]> {
    return (await this.runsOfTasks([taskId])).get(taskId) ?? [];
  }

  async runsOfTasks(taskIds: readonly string[]): Promise<ReadonlyMap<string, readonly RunRow[]>> {
    const rows = await this.query(
      'reading runs',
      `SELECT * FROM ${this.s}.runs WHERE task_id = ANY($1::text[]) ORDER BY task_id, attempt, id`,
      [taskIds],
    );
    return groupByTask(rows, toRunRow);
  }

  async pullRequest(taskId: string): Promise<PullRequestRow | undefined> {
    return (await this.pullRequestsOfTasks([taskId])).get(taskId);
  }

  async pullRequestsOfTasks(taskIds: readonly string[]): Promise<ReadonlyMap<string, PullRequestRow>> {
    const rows = await this.query('reading pull requests', `SELECT * FROM ${this.s}.pull_requests WHERE task_id = ANY($1::text[])`, [
      taskIds,
    ]);
    return new Map(rows.map(toPullRequestRow).map((pr) => [pr.taskId, pr]));
  }

  async workspace(taskId: string): Promise<WorkspaceRow | undefined> {
    return (await this.workspacesOfTasks([taskId])).get(taskId);
  }

  /** Each task's latest workspace. */
  async workspacesOfTasks(taskIds: readonly string[]): Promise<ReadonlyMap<string, WorkspaceRow>> {
    const rows = await this.query(
      'reading workspaces',
      `SELECT DISTINCT ON (task_id) * FROM ${this.s}.workspaces WHERE task_id = ANY($1::text[]) ORDER BY task_id, updated_at DESC, run_id DESC`,
      [taskIds],
    );
    return new Map(rows.map(toWorkspaceRow).map((workspace) => [workspace.taskId, workspace]));
  }

  async workspaces(filter: { readonly activeOnly?: boolean }): Promise<readonly WorkspaceRow[]> {
    const rows = await this.query(
      'listing workspaces',
      `SELECT * FROM ${this.s}.workspaces ${filter.activeOnly ? `WHERE status IN ('provisioning', 'ready')` : ''} ORDER BY updated_at DESC, run_id DESC LIMIT 1000`,
    );
    return rows.map(toWorkspaceRow);
  }

  async timeline(taskId: string, page: PageRequest): Promise<Page<TimelineEntryRow>> {
    const limit = pageSize(page.first);
    const after = page.after === undefined ? 0 : decodeCursor<[number]>(page.after, isPositionCursor)[0];
    const [rows, count] = await Promise.all([
      this.query(
        'reading a timeline',
        `SELECT * FROM ${this.s}.task_timeline WHERE aggregate_id = $1 AND position > $2 ORDER BY position LIMIT $3`,
        [taskId, after, limit + 1],
      ),
      this.query<{ n: string }>('counting a timeline', `SELECT count(*) AS n FROM ${this.s}.task_timeline WHERE aggregate_id = $1`, [
        taskId,
      ]),
    ]);
    const pageRows = rows.slice(0, limit).map(toTimelineRow);
    const last = pageRows.at(-1);
    return {
      rows: pageRows,
      totalCount: Number(count[0]!.n),
      endCursor: last ? encodeCursor([last.position]) : undefined,
      hasNextPage: rows.length > limit,
    };
  }

  async stageHistory(taskId: string): Promise<readonly StageVisitRow[]> {
    return (await this.stageHistoriesOfTasks([taskId])).get(taskId) ?? [];
  }

  async stageHistoriesOfTasks(taskIds: readonly string[]): Promise<ReadonlyMap<string, readonly StageVisitRow[]>> {
    const rows = await this.query('reading stage history', `SELECT id, stage_history FROM ${this.s}.tasks WHERE id = ANY($1::text[])`, [
      taskIds,
    ]);
    return new Map(rows.map((row) => [String(row.id), toStageHistory(row.stage_history)]));
  }

  async repos(): Promise<readonly RepoRow[]> {
    return (await this.query('listing repositories', `SELECT * FROM ${this.s}.repos ORDER BY id`)).map(toRepoRow);
  }

  async repo(id: string): Promise<RepoRow | undefined> {
    return (await this.reposByIds([id])).get(id);
  }

  async reposByIds(ids: readonly string[]): Promise<ReadonlyMap<string, RepoRow>> {
    const rows = await this.query('reading repositories', `SELECT * FROM ${this.s}.repos WHERE id = ANY($1::text[])`, [ids]);
    return new Map(rows.map(toRepoRow).map((repo) => [repo.id, repo]));
  }

  async costs(query: CostQuery): Promise<readonly CostRow[]> {
    if (!DAY.test(query.from)) throw new InvalidReadQuery('from', `from must be a day as YYYY-MM-DD, got ${JSON.stringify(query.from)}`);
    if (!DAY.test(query.to)) throw new InvalidReadQuery('to', `to must be a day as YYYY-MM-DD, got ${JSON.stringify(query.to)}`);
    const groups = [...new Set(query.groupBy)];
    for (const g of groups) {
      if (!(g in COST_GROUPS))
        throw new InvalidReadQuery('groupBy', `cannot group costs by ${JSON.stringify(g)}; use day, repo, agent or model`);
    }
    const columns = groups.map((g) => COST_GROUPS[g]);
    const select = columns.map((c) => `${c}, `).join('');
    const groupBy = columns.length ? `GROUP BY ${columns.join(', ')} ORDER BY ${columns.join(', ')}` : '';
    const rows = await this.query<Record<string, unknown>>(
      'summing costs',
      `SELECT ${select}sum(cost_usd) AS cost_usd, sum(input_tokens) AS input_tokens, sum(cached_input_tokens) AS cached_input_tokens,
              sum(output_tokens) AS output_tokens, sum(runs) AS runs
       FROM ${this.s}.cost_daily WHERE day BETWEEN $1 AND $2 ${groupBy}`,
      [query.from, query.to],
    );
    return rows
      .filter((r) => r.runs !== null)
      .map((r) => ({
        ...(groups.includes('day') ? { day: String(r.day) } : {}),
        ...(groups.includes('repo') ? { repoId: String(r.repo_id) } : {}),
        ...(groups.includes('agent') ? { agent: String(r.agent) } : {}),
        ...(groups.includes('model') ? { model: String(r.model) } : {}),
        costUsd: Number(r.cost_usd),
        inputTokens: Number(r.input_tokens),
        cachedInputTokens: Number(r.cached_input_tokens),
        outputTokens: Number(r.output_tokens),
        runs: Number(r.runs),
      }));
  }

  async secrets(): Promise<readonly SecretRow[]> {
    return (await this.query('listing secrets', `SELECT * FROM ${this.s}.secrets ORDER BY scope, name`)).map(toSecretRow);
  }

  private async query<R extends Record<string, unknown> = Record<string, unknown>>(
    what: string,
    sql: string,
    params: unknown[] = [],
  ): Promise<R[]> {
    try {
      return (await this.pool.query<R>(sql, params)).rows;
    } catch (error) {
      throw new ReadModelUnavailable(what, error);
    }
  }

  private listen(nc: NatsConnection, topology: Topology): void {
    this.subscription = nc.subscribe(topology.projected, {
      callback: (error, msg) => {
        if (error) return;
        try {
          const position = Number((JSON.parse(msg.string()) as { position?: unknown }).position);
          if (Number.isFinite(position) && position > this.notified) this.notified = position;
        } catch {
          return;
        }
        for (const wake of this.waiters) wake();
      },
    });
  }

  private async sleepOrWake(ms: number, position: number): Promise<void> {
    await new Promise<void>((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.waiters.delete(wake);
        resolve();
      };
      const wake = () => {
        if (this.notified >= position) done();
      };
      const timer = setTimeout(done, ms);
      this.waiters.add(wake);
    });
  }
}

function isTaskCursor(parts: unknown[]): parts is [string, string] {
  return parts.length === 2 && typeof parts[0] === 'string' && !Number.isNaN(Date.parse(parts[0])) && typeof parts[1] === 'string';
}

function isPositionCursor(parts: unknown[]): parts is [number] {
  return parts.length === 1 && typeof parts[0] === 'number' && Number.isInteger(parts[0]) && parts[0] >= 0;
}

/** Rows of several tasks (ordered within each task), mapped and grouped by their `task_id`. */
function groupByTask<T>(rows: readonly Record<string, unknown>[], map: (row: Record<string, unknown>) => T): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const row of rows) {
    const taskId = String(row.task_id);
    const group = groups.get(taskId);
    if (group) group.push(map(row));
    else groups.set(taskId, [map(row)]);
  }
  return groups;
}
