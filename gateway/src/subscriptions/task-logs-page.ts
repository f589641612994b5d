import { LogsUnavailable, readLogPage } from '@cohort/projections';
import type { LogPageReader, LogPageResult } from '../context.js';
import { logLineNode } from './log-line-node.js';
import { streamUnavailable, type SubscriptionDependencies, type SubscriptionLog } from './subscription-deps.js';
import { assertRunOfTask, taskRunsOrNotFound } from './task-runs.js';

/**
 * `Task.logs`: one page of a run's log (the task's latest run when no run is
 * given), from the log stream rather than Postgres.
 */
export function taskLogsPage(deps: SubscriptionDependencies, log: SubscriptionLog): LogPageReader {
  return async ({ taskId, runId, fromSeq, limit }): Promise<LogPageResult> => {
    const runs = await taskRunsOrNotFound(deps.events, taskId);
    const run = runId ?? runs.runIds.at(-1);
    if (run === undefined) return { runId: null, lines: [], lastSeq: fromSeq, hasMore: false };
    assertRunOfTask(runs, taskId, run);
    try {
      const page = await readLogPage({ nc: deps.nc, topology: deps.topology, taskId, runId: run, fromSeq, limit });
      return { runId: run, lines: page.lines.map(logLineNode), lastSeq: page.lastSeq, hasMore: page.hasMore };
    } catch (error) {
      if (error instanceof LogsUnavailable) throw streamUnavailable(log, 'reading the log', error, 'try again shortly');
      throw error;
    }
  };
}
