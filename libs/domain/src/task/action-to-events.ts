import {
  MergeRequestedSchema,
  PullRequestRequestedSchema,
  RunScheduledSchema,
  RunTimedOutSchema,
  TaskCompletedSchema,
  TaskDependenciesMetSchema,
  TaskFailedSchema,
  TaskNeedsAttentionSchema,
  create,
  type TaskEvent,
} from '@cohort/contracts';
import type { Action } from './actions.js';
import type { TaskState } from './task-state.js';

/**
 * The task events that carry out an action, for the scheduler to append. An
 * action whose effect is already in the state maps to no events, so applying
 * the same action twice appends once. `now` is accepted for actions whose
 * events will carry a time; none of today's do beyond what reconcile computed.
 */
export function actionToEvents(action: Action, state: TaskState, _now?: number | string): readonly TaskEvent[] {
  switch (action.type) {
    case 'ScheduleRun':
      if (state.runs.some((r) => r.id === action.runId)) return [];
      return [
        {
          type: 'RunScheduled',
          data: create(RunScheduledSchema, {
            runId: action.runId,
            attempt: action.attempt,
            kind: action.kind,
            resumeReason: action.reason,
            context: action.context,
            branch: action.branch,
            agent: action.agent,
            model: action.model,
            headSha: action.headSha,
            notBefore: action.notBefore,
          }),
        },
      ];
    case 'RequestPullRequest':
      if (state.pr !== undefined || state.pullRequestRequestedForHead === action.headSha) return [];
      return [
        {
          type: 'PullRequestRequested',
          data: create(PullRequestRequestedSchema, {
            runId: action.runId,
            branch: action.branch,
            baseBranch: action.baseBranch,
            title: action.title,
            body: action.body,
            headSha: action.headSha,
            draft: action.draft,
          }),
        },
      ];
    case 'RequestMerge':
      if (
        state.pr === undefined ||
        state.pr.merged ||
        state.pr.mergeRequestedForHead !== undefined ||
        state.pr.mergeFailedHeads.includes(action.headSha)
      )
        return [];
      return [{ type: 'MergeRequested', data: create(MergeRequestedSchema, { number: action.number, headSha: action.headSha }) }];
    case 'TimeOutRun': {
      const run = state.runs.find((r) => r.id === action.runId);
      if (run === undefined || run.status === 'finished') return [];
      return [{ type: 'RunTimedOut', data: create(RunTimedOutSchema, { runId: action.runId, reason: action.reason }) }];
    }
    case 'MarkNeedsAttention':
      if (state.status === 'needs_attention') return [];
      return [{ type: 'TaskNeedsAttention', data: create(TaskNeedsAttentionSchema, { reason: action.reason, detail: action.detail }) }];
    case 'FailTask':
      if (state.status === 'failed') return [];
      return [
        { type: 'TaskFailed', data: create(TaskFailedSchema, { reason: `${action.reason}: ${action.detail}`, error: action.error }) },
      ];
    case 'CompleteTask':
      if (state.status === 'completed') return [];
      return [{ type: 'TaskCompleted', data: create(TaskCompletedSchema, { summary: action.summary }) }];
    case 'ReleaseDependencies':
      if (state.dependenciesMet) return [];
      return [{ type: 'TaskDependenciesMet', data: create(TaskDependenciesMetSchema, {}) }];
  }
}
