import { isSubjectToken } from '@cohort/contracts';
import type { EventStore } from '@cohort/eventstore';
import { GraphQLError } from '../graphql.js';

export interface TaskRuns {
  /** Run ids in the order they were scheduled. */
  readonly runIds: readonly string[];
}

/**
 * A task's runs from its events (not from Postgres, so subscriptions work while
 * it is down), or NOT_FOUND naming the task.
 */
export async function taskRunsOrNotFound(events: EventStore, taskId: string): Promise<TaskRuns> {
  assertId(taskId, 'taskId');
  const { events: history } = await events.read({ type: 'task', id: taskId });
  if (history.length === 0) throw notFound(`no task has id "${taskId}"`);
  const runIds: string[] = [];
  for (const event of history) if (event.type === 'RunScheduled' && !runIds.includes(event.data.runId)) runIds.push(event.data.runId);
  return { runIds };
}

/** NOT_FOUND unless the task exists; reads only the task's head. */
export async function assertTaskExists(events: EventStore, taskId: string): Promise<void> {
  assertId(taskId, 'taskId');
  const { version } = await events.read({ type: 'task', id: taskId }, { fromVersion: Number.MAX_SAFE_INTEGER });
  if (version === 0) throw notFound(`no task has id "${taskId}"`);
}

export function assertRunOfTask(runs: TaskRuns, taskId: string, runId: string): void {
  assertId(runId, 'runId');
  if (!runs.runIds.includes(runId)) {
    const known = runs.runIds.length === 0 ? 'it has no runs yet' : `its runs are ${runs.runIds.map((id) => `"${id}"`).join(', ')}`;
    throw notFound(`task "${taskId}" has no run "${runId}"; ${known}`);
  }
}

/** A whole-number argument within bounds, or BAD_USER_INPUT naming it. */
export function intArgument(value: number | null | undefined, fallback: number, max: number, field: string): number {
  const actual = value ?? fallback;
  if (!Number.isSafeInteger(actual) || actual < 0 || actual > max) {
    throw new GraphQLError(`${field} must be a whole number from 0 to ${max}, got ${String(actual)}`, {
      extensions: { code: 'BAD_USER_INPUT', field },
    });
  }
  return actual;
}

function assertId(value: string, field: string): void {
  // Ids are subject tokens; anything else cannot name a task or run.
  if (!isSubjectToken(value)) {
    throw new GraphQLError(`${field} ${JSON.stringify(value.slice(0, 100))} is not a valid id: use letters, digits, "-" and "_" only`, {
      extensions: { code: 'BAD_USER_INPUT', field },
    });
  }
}

function notFound(message: string): GraphQLError {
  return new GraphQLError(message, { extensions: { code: 'NOT_FOUND' } });
}
