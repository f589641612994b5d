import type { TaskFilter, TaskRow } from '../read-model.js';

/**
 * Query.tasks' filter on one task, as the read model applies it in SQL: every
 * given criterion must hold; an empty list or blank text constrains nothing;
 * text is a case-insensitive substring of the title, the prompt or the id.
 */
export function taskMatchesFilter(row: TaskRow, filter: TaskFilter | null | undefined): boolean {
  if (!filter) return true;
  const anyOf = (values: readonly string[] | null | undefined, value: string | null) =>
    !values?.length || (value !== null && values.includes(value));
  if (!anyOf(filter.states, row.state)) return false;
  if (!anyOf(filter.stages, row.stage)) return false;
  if (!anyOf(filter.repoIds, row.repoId)) return false;
  if (!anyOf(filter.kinds, row.kind)) return false;
  const text = filter.text?.trim().toLowerCase();
  if (text) return [row.title, row.prompt, row.id].some((field) => field.toLowerCase().includes(text));
  return true;
}
