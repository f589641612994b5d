import { STAGES, TASK_KINDS, TASK_STATES, type Stage, type TaskFilter, type TaskKind, type TaskState } from '../graphql/types.js';

/** The task list's filters, as held in the page URL so a filtered view can be shared and survives reloads. */
export interface TaskListFilters {
  readonly states: readonly TaskState[];
  readonly stages: readonly Stage[];
  readonly kinds: readonly TaskKind[];
  readonly repoIds: readonly string[];
  readonly text: string;
}

export const NO_FILTERS: TaskListFilters = { states: [], stages: [], kinds: [], repoIds: [], text: '' };

type SearchParams = Pick<URLSearchParams, 'get' | 'getAll'>;

const KEYS = { states: 'state', stages: 'stage', kinds: 'kind', repoIds: 'repo', text: 'q' } as const;

function pick<T extends string>(params: SearchParams, key: string, allowed: readonly T[]): T[] {
  const values = new Set(params.getAll(key).flatMap((v) => v.split(',')));
  return allowed.filter((value) => values.has(value));
}

function distinct(values: readonly string[]): string[] {
  return [...new Set(values.filter((v) => v.length > 0))];
}

/** Reads filters from a URL's query; unknown states, stages and kinds are ignored. */
export function filtersFromSearch(params: SearchParams): TaskListFilters {
  return {
    states: pick(params, KEYS.states, TASK_STATES),
    stages: pick(params, KEYS.stages, STAGES),
    kinds: pick(params, KEYS.kinds, TASK_KINDS),
    repoIds: distinct(params.getAll(KEYS.repoIds)),
    text: (params.get(KEYS.text) ?? '').trim(),
  };
}

/** Writes filters as a URL query, in a stable order (enum values in schema order). */
export function filtersToSearch(filters: TaskListFilters): URLSearchParams {
  const params = new URLSearchParams();
  for (const state of TASK_STATES) if (filters.states.includes(state)) params.append(KEYS.states, state);
  for (const stage of STAGES) if (filters.stages.includes(stage)) params.append(KEYS.stages, stage);
  for (const kind of TASK_KINDS) if (filters.kinds.includes(kind)) params.append(KEYS.kinds, kind);
  for (const repoId of distinct(filters.repoIds)) params.append(KEYS.repoIds, repoId);
  const text = filters.text.trim();
  if (text.length > 0) params.set(KEYS.text, text);
  return params;
}

/** The GraphQL `TaskFilter` for these filters (criteria left empty are omitted). */
export function toTaskFilter(filters: TaskListFilters): TaskFilter {
  const filter: TaskFilter = {};
  if (filters.states.length > 0) filter.states = [...filters.states];
  if (filters.stages.length > 0) filter.stages = [...filters.stages];
  if (filters.kinds.length > 0) filter.kinds = [...filters.kinds];
  if (filters.repoIds.length > 0) filter.repoIds = [...filters.repoIds];
  if (filters.text.trim().length > 0) filter.text = filters.text.trim();
  return filter;
}

/** Whether a task (as the list shows it) satisfies the filters, for live updates of the current page. */
export function matchesFilters(
  task: { id: string; title: string; state: TaskState; stage: Stage; kind: TaskKind; repo: { id: string } | null },
  filters: TaskListFilters,
): boolean {
  if (filters.states.length > 0 && !filters.states.includes(task.state)) return false;
  if (filters.stages.length > 0 && !filters.stages.includes(task.stage)) return false;
  if (filters.kinds.length > 0 && !filters.kinds.includes(task.kind)) return false;
  if (filters.repoIds.length > 0 && !(task.repo && filters.repoIds.includes(task.repo.id))) return false;
  const text = filters.text.trim().toLowerCase();
  if (text.length > 0 && !task.title.toLowerCase().includes(text) && !task.id.toLowerCase().includes(text)) return false;
  return true;
}
