import type { Envelope, TaskEvent } from '@cohort/contracts';
import { MissingTaskCreated, findRun } from '@cohort/domain';
import { timelineCopyLine } from '../db/copy-text.js';
import { isUnknownEvent, type FeedItem } from './feed-item.js';
import { CostTotals } from './cost-totals.js';
import { projectTaskEvent } from './project-task-event.js';
import type { ProjectedTask } from './projected-task.js';
import { pullRequestRow, repoRow, runRow, taskRow, workspaceRow, type Row } from './rows.js';
import { timelineRow } from './timeline-row.js';

/**
 * Rows of one table keyed by id: `added` ones have no stored row yet (the
 * entity did not exist before the batch, and entities are never removed from
 * a task's state), so they are plain inserts; `updated` ones may have one.
 */
export interface KeyedRows {
  readonly added: Row[];
  readonly updated: Row[];
}

/** Everything one batch writes, table by table, plus what to tell listeners. */
export interface BatchRows {
  readonly tasks: KeyedRows;
  readonly runs: KeyedRows;
  readonly workspaces: KeyedRows;
  readonly pullRequests: KeyedRows;
  /**
   * Timeline rows as UTF-8 COPY text (timelineCopyLine), in pieces. They are
   * always added: one per position, and positions are applied once.
   */
  readonly timeline: Uint8Array[];
  /** Spend by day × repo × agent × model, to add to the stored totals (see CostTotals). */
  readonly costs: Row[];
  readonly repos: Row[];
  readonly secretUpserts: Row[];
  readonly secretDeletes: Row[];
  readonly taskIds: string[];
  readonly repoIds: string[];
  /** The folded tasks after the batch, for the cache once the batch is committed. */
  readonly projected: ReadonlyMap<string, ProjectedTask>;
  readonly lastPosition: number;
}

/** Reads the stored projected tasks of these ids (absent ids are simply missing from the map). */
export type LoadTasks = (ids: readonly string[]) => Promise<Map<string, ProjectedTask>>;

/**
 * Turns a run of events into the rows they change. Pure apart from `load`,
 * which fetches tasks the cache does not hold; nothing is written here.
 */
export async function buildBatch(
  items: readonly FeedItem[],
  cached: (id: string) => ProjectedTask | undefined,
  load: LoadTasks,
): Promise<BatchRows> {
  const tasks = new Map<string, ProjectedTask>();
  const missing = new Set<string>();
  const createdHere = new Set<string>();
  for (const { event } of items) {
    if (isUnknownEvent(event) || event.aggregateType !== 'task') continue;
    const id = event.aggregateId;
    if (tasks.has(id) || missing.has(id) || createdHere.has(id)) continue;
    const hit = cached(id);
    if (hit) tasks.set(id, hit);
    // A first event of a task cannot have a stored row (positions are applied once, in order).
    else if (event.type === 'TaskCreated' && event.version === 1) createdHere.add(id);
    else missing.add(id);
  }
  if (missing.size > 0) for (const [id, task] of await load([...missing])) tasks.set(id, task);
  const before = new Map(tasks);

  const dirtyRuns = new Map<string, Set<string>>();
  const timeline: Uint8Array[] = [];
  const costs = new CostTotals();
  const repos = new Map<string, Row>();
  const secrets = new Map<string, { readonly row: Row; readonly deleted: boolean }>();
  const repoIds = new Set<string>();
  let lastPosition = 0;

  for (const [index, item] of items.entries()) {
    // A batch of thousands of events folds for tens of ms: I/O gets a turn meanwhile, so the previous
    // batch's rows keep flowing to Postgres (their COPY data is sent as the socket takes it) and the
    // process stays responsive.
    if (index > 0 && index % YIELD_EVERY === 0) await new Promise<void>((resolve) => setImmediate(resolve));
    const { position, event } = item;
    lastPosition = position;
    if (isUnknownEvent(event)) {
      appendBytes(timeline, item.timeline ?? Buffer.from(timelineCopyLine(timelineRow(position, event))));
      continue;
    }
    let failure: string | undefined;
    if (event.aggregateType === 'task') {
      const id = event.aggregateId;
      try {
        const effect = projectTaskEvent(tasks.get(id), event as Envelope<TaskEvent>, position);
        tasks.set(id, effect.next);
        let runs = dirtyRuns.get(id);
        if (!runs) dirtyRuns.set(id, (runs = new Set()));
        if (effect.runId !== undefined) runs.add(effect.runId);
        for (const runId of effect.workspaceRunIds) runs.add(runId);
        if (effect.cost) costs.add(effect.next.state.spec.repoId, effect.cost);
      } catch (error) {
        if (!(error instanceof MissingTaskCreated)) throw error;
        failure = `not projected: ${error.message}`;
      }
    } else if (event.type === 'RepoRegistered' || event.type === 'RepoUpdated') {
      const id = event.data.repoId || event.aggregateId;
      repoIds.add(id);
      if (event.data.settings) {
        const row = repoRow(id, event.data.settings, event.occurredAt);
        const earlier = repos.get(id);
        repos.set(id, earlier ? { ...row, created_at: earlier.created_at } : row);
      }
    } else if (event.type === 'SecretSet' || event.type === 'SecretDeleted') {
      const scope = event.data.scope || 'global';
      secrets.set(`${scope}\u0000${event.data.name}`, {
        row: { scope, name: event.data.name, updated_at: event.occurredAt },
        deleted: event.type === 'SecretDeleted',
      });
    }
    appendBytes(
      timeline,
      failure === undefined && item.timeline !== undefined
        ? item.timeline
        : Buffer.from(timelineCopyLine(timelineRow(position, event, failure))),
    );
  }

  const taskRows = keyedRows();
  const runRows = keyedRows();
  const workspaceRows = keyedRows();
  const prRows = keyedRows();
  const projected = new Map<string, ProjectedTask>();
  for (const [id, runIds] of dirtyRuns) {
    const task = tasks.get(id);
    if (task === undefined) continue;
    // The task as stored before the batch: what it held then has rows already.
    const prior = before.get(id);
    projected.set(id, task);
    (prior ? taskRows.updated : taskRows.added).push(taskRow(task));
    const pr = pullRequestRow(task);
    if (pr) (prior?.state.pr ? prRows.updated : prRows.added).push(pr);
    for (const runId of runIds) {
      const run = findRun(task.state, runId);
      if (run) (prior && findRun(prior.state, runId) ? runRows.updated : runRows.added).push(runRow(task, run));
      const workspace = workspaceRow(task, runId);
      if (workspace) (prior?.workspaces[runId] ? workspaceRows.updated : workspaceRows.added).push(workspace);
    }
  }
  return {
    tasks: taskRows,
    runs: runRows,
    workspaces: workspaceRows,
    pullRequests: prRows,
    timeline,
    costs: costs.rows(),
    repos: [...repos.values()],
    secretUpserts: [...secrets.values()].filter((s) => !s.deleted).map((s) => s.row),
    secretDeletes: [...secrets.values()].filter((s) => s.deleted).map((s) => s.row),
    taskIds: [...projected.keys()],
    repoIds: [...repoIds],
    projected,
    lastPosition,
  };
}

/** Events folded between turns given to I/O. */
const YIELD_EVERY = 250;

/** Appends bytes, as one piece with the last when they follow it in memory (lines a reader packed together). */
function appendBytes(pieces: Uint8Array[], bytes: Uint8Array): void {
  const last = pieces.at(-1);
  if (last !== undefined && last.buffer === bytes.buffer && last.byteOffset + last.length === bytes.byteOffset) {
    pieces[pieces.length - 1] = new Uint8Array(last.buffer, last.byteOffset, last.length + bytes.length);
  } else {
    pieces.push(bytes);
  }
}

function keyedRows(): { added: Row[]; updated: Row[] } {
  return { added: [], updated: [] };
}
