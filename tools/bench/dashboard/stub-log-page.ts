import { GraphQLError } from 'graphql';
import { syntheticLogLine } from './synthetic-data.js';

/** The gateway's largest `Task.logs` page. */
const MAX_LIMIT = 2000;

export interface StubLogPageArgs {
  readonly runId?: string | null;
  readonly fromSeq: number;
  readonly limit: number;
}

interface TaskWithRuns {
  readonly id: string;
  readonly runs?: readonly { readonly id: string }[];
}

const wholeNumber = (value: number, min: number, max: number, field: string): number => {
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new GraphQLError(`${field} must be a whole number from ${min} to ${max}, got ${value}`, {
      extensions: { code: 'BAD_USER_INPUT', field },
    });
  }
  return value;
};

/**
 * `Task.logs` as the gateway answers it (gateway/src/resolvers/task-resolvers.ts
 * and task-logs-page.ts), over the synthetic log: lines with a seq above
 * `fromSeq`, at most `limit`, of the named run or else the task's latest;
 * `lastSeq` is the last line's seq (or `fromSeq`), `hasMore` whether more are stored.
 * `storedLines(taskId, runId)` says how many lines a run has.
 */
export function stubLogPage(storedLines: (taskId: string, runId: string) => number) {
  return (task: TaskWithRuns, args: StubLogPageArgs) => {
    const fromSeq = wholeNumber(args.fromSeq, 0, 2 ** 31 - 1, 'fromSeq');
    const limit = wholeNumber(args.limit, 1, MAX_LIMIT, 'limit');
    const runIds = (task.runs ?? []).map((run) => run.id);
    const runId = args.runId ?? runIds.at(-1);
    if (runId === undefined) return { runId: null, lines: [], lastSeq: fromSeq, hasMore: false };
    if (!runIds.includes(runId)) {
      throw new GraphQLError(`task "${task.id}" has no run "${runId}"`, { extensions: { code: 'NOT_FOUND' } });
    }
    const stored = storedLines(task.id, runId);
    const to = Math.min(stored, fromSeq + limit);
    const lines = [];
    for (let seq = fromSeq + 1; seq <= to; seq++) lines.push(syntheticLogLine(task.id, runId, seq));
    return { runId, lines, lastSeq: lines.at(-1)?.seq ?? fromSeq, hasMore: to < stored };
  };
}
