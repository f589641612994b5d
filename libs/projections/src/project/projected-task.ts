import type { TaskState } from '@cohort/domain';

/** What the domain's TaskState does not keep about a run but readers show. */
export interface RunMeta {
  readonly agent: string;
  readonly model: string;
  readonly prompt: string;
}

export interface WorkspaceDoc {
  readonly id: string;
  readonly path: string;
  readonly branch: string;
  readonly status: 'provisioning' | 'ready' | 'failed' | 'released';
  readonly error: string | null;
  readonly createdAt: string;
  readonly updatedAt: string;
}

/** A stretch of time the task spent in one stage; `leftAt` is null for the stage it is in. */
export interface StageVisitDoc {
  readonly stage: string;
  readonly enteredAt: string;
  readonly leftAt: string | null;
}

/**
 * One task as the projector keeps it: the domain's folded state plus the
 * times and details the read side needs and the domain has no use for. Kept
 * in memory only; a task the projector no longer holds is folded again from
 * its events in the log (see TaskHistory).
 */
export interface ProjectedTask {
  readonly state: TaskState;
  readonly runMeta: Readonly<Record<string, RunMeta>>;
  readonly workspaces: Readonly<Record<string, WorkspaceDoc>>;
  readonly prOpenedAt: string | undefined;
  readonly prBaseBranch: string | undefined;
  readonly prMergedAt: string | undefined;
  /** When checks were last reported, by head commit. */
  readonly checksReportedAt: Readonly<Record<string, string>>;
  /** Submission time of each review, aligned with `state.pr.reviews`. */
  readonly reviewSubmittedAt: readonly string[];
  /** Every stage the task was in, in order; the last is the one it is in. */
  readonly stages: readonly StageVisitDoc[];
  /** Stream position of the last event applied to this task. */
  readonly position: number;
}
