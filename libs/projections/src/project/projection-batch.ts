import type { Envelope, TaskEvent } from '@cohort/contracts';
import { MissingTaskCreated, findRun } from '@cohort/domain';
import { isUnknownEvent, type FeedItem } from './feed-item.js';
import { projectTaskEvent, type CostDelta } from './project-task-event.js';
import type { ProjectedTask } from './projected-task.js';
import { JsonText, pullRequestRow, repoRow, runRow, stageVisitRow, taskRow, workspaceRow, type Row } from './rows.js';
import { canonicalDataJson, runIdOfEvent, timelineSummary } from '../timeline-summary.js';

/** Everything one batch writes, table by table, plus what to tell listeners. */
export interface BatchRows {
  readonly tasks: Row[];
  readonly runs: Row[];
  readonly workspaces: Row[];
  readonly pullRequests: Row[];
  readonly stageVisits: Row[];
  readonly timeline: Row[];
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
  const visits = new Map<string, Row>();
  const timeline: Row[] = [];
  const costs: Row[] = [];
  const repos = new Map<string, Row>();
  const secrets = new Map<string, { readonly row: Row; readonly deleted: boolean }>();
  const repoIds = new Set<string>();
  let lastPosition = 0;

  for (const { position, event } of items) {
    lastPosition = position;
    if (isUnknownEvent(event)) {
      timeline.push({
        position,
        aggregate_type: event.aggregateType,
        aggregate_id: event.aggregateId,
        event_id: event.id,
        type: event.type,
        version: event.version,
        occurred_at: event.occurredAt,
        run_id: null,
        summary: `not projected: ${event.reason}`.slice(0, 300),
        data: event.data ?? null,
      });
      continue;
    }
    // As timelineEntryOf, with the data left as the JSON text it is written as.
    let summary = timelineSummary(event);
    if (event.aggregateType === 'task') {
      const id = event.aggregateId;
      try {
        const effect = projectTaskEvent(tasks.get(id), event as Envelope<TaskEvent>, position);
        tasks.set(id, effect.next);
        let runs = dirtyRuns.get(id);
        if (!runs) dirtyRuns.set(id, (runs = new Set()));
        if (effect.runId !== undefined) runs.add(effect.runId);
        for (const runId of effect.workspaceRunIds) runs.add(runId);
        if (effect.leftVisit)
          visits.set(`${id}\u0000${effect.leftVisit.seq}`, stageVisitRow(id, effect.leftVisit, effect.leftVisit.leftAt));
        if (effect.cost) addCost(costs, effect.next.state.spec.repoId, effect.cost);
      } catch (error) {
        if (!(error instanceof MissingTaskCreated)) throw error;
        summary = `not projected: ${error.message}`;
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
    timeline.push({
      position,
      aggregate_type: event.aggregateType,
      aggregate_id: event.aggregateId,
      event_id: event.id,
      type: event.type,
      version: event.version,
      occurred_at: event.occurredAt || null,
      run_id: runIdOfEvent(event),
      summary,
      data: new JsonText(canonicalDataJson(event)),
    });
  }

  const taskRows: Row[] = [];
  const runRows: Row[] = [];
  const workspaceRows: Row[] = [];
  const prRows: Row[] = [];
  const projected = new Map<string, ProjectedTask>();
  for (const [id, runIds] of dirtyRuns) {
    const task = tasks.get(id);
    if (task === undefined) continue;
    projected.set(id, task);
    taskRows.push(taskRow(task));
    // A visit still open since before the batch is stored as it is: it was written with the state that opened it.
    if (before.get(id)?.visit !== task.visit) visits.set(`${id}\u0000${task.visit.seq}`, stageVisitRow(id, task.visit, null));
    const pr = pullRequestRow(task);
    if (pr) prRows.push(pr);
    for (const runId of runIds) {
      const run = findRun(task.state, runId);
      if (run) runRows.push(runRow(task, run));
      const workspace = workspaceRow(task, runId);
      if (workspace) workspaceRows.push(workspace);
    }
  }
  return {
    tasks: taskRows,
    runs: runRows,
    workspaces: workspaceRows,
    pullRequests: prRows,
    stageVisits: [...visits.values()],
    timeline,
    costs,
    repos: [...repos.values()],
    secretUpserts: [...secrets.values()].filter((s) => !s.deleted).map((s) => s.row),
    secretDeletes: [...secrets.values()].filter((s) => s.deleted).map((s) => s.row),
    taskIds: [...projected.keys()],
    repoIds: [...repoIds],
    projected,
    lastPosition,
  };
}

/**
 * One row per delta: the SQL sums them as numeric, so the totals do not depend
 * on how events were grouped into batches (a rebuild must equal the live run).
 */
function addCost(costs: Row[], repoId: string, delta: CostDelta): void {
  costs.push({
    day: delta.day,
    repo_id: repoId,
    agent: delta.agent,
    model: delta.model,
    cost_usd: delta.costUsd,
    input_tokens: delta.inputTokens,
    cached_input_tokens: delta.cachedInputTokens,
    output_tokens: delta.outputTokens,
    runs: delta.runs,
  });
}
