import type { ErrorInfo, ResumeContext, ResumeReason, RunKind } from '@cohort/contracts';

/**
 * What the reconciler wants done. Every action carries a deterministic `id`
 * (use it as the event id / Nats-Msg-Id) so applying an action twice is harmless.
 */
export type Action =
  | {
      readonly type: 'ScheduleRun';
      readonly id: string;
      readonly runId: string;
      readonly attempt: number;
      readonly kind: RunKind;
      readonly reason: ResumeReason;
      readonly context: ResumeContext | undefined;
      /** Review runs: the head under review. Resume runs: the head to fix. */
      readonly headSha: string;
      readonly branch: string;
      readonly agent: string;
      readonly model: string;
      /** RFC 3339; retries wait until then. Empty when the run may start now. */
      readonly notBefore: string;
    }
  | {
      readonly type: 'RequestPullRequest';
      readonly id: string;
      readonly runId: string;
      readonly branch: string;
      readonly baseBranch: string;
      readonly title: string;
      readonly body: string;
      readonly headSha: string;
      readonly draft: boolean;
    }
  | { readonly type: 'RequestMerge'; readonly id: string; readonly number: number; readonly headSha: string }
  | { readonly type: 'TimeOutRun'; readonly id: string; readonly runId: string; readonly reason: string }
  | { readonly type: 'MarkNeedsAttention'; readonly id: string; readonly reason: AttentionReason; readonly detail: string }
  | {
      readonly type: 'FailTask';
      readonly id: string;
      readonly reason: FailureReason;
      readonly detail: string;
      readonly error: ErrorInfo | undefined;
    }
  | { readonly type: 'CompleteTask'; readonly id: string; readonly summary: string }
  | { readonly type: 'ReleaseDependencies'; readonly id: string };

export type ActionType = Action['type'];

/** Machine-readable reasons a task stops for a person; `detail` explains in words. */
export type AttentionReason =
  | 'auto_resume_limit'
  | 'budget_exceeded'
  | 'no_changes'
  | 'no_checks'
  | 'resume_without_progress'
  | 'merge_failed'
  | 'run_cancelled'
  | 'non_retryable_error';

export type FailureReason = 'retries_exhausted' | 'pull_request_closed' | 'budget_exceeded' | 'dependency_cancelled' | 'dependency_failed';
