import { STAGES, type Stage } from '@cohort/domain';

export interface StageVisit {
  readonly stage: string;
  readonly enteredAt: string;
  readonly leftAt: string | null;
}

export interface PipelineStage {
  readonly stage: Stage;
  readonly status: 'done' | 'current' | 'pending';
  readonly enteredAt: string | null;
  readonly leftAt: string | null;
}

/**
 * Every stage in the fixed order with its status relative to the task's
 * current stage: before it `done`, it `current` (the final `done` stage is
 * `done`), after it `pending`. Times are those of the stage's latest visit, as a
 * task can pass a stage more than once (running again after failing checks).
 */
export function pipelineOf(current: string, history: readonly StageVisit[]): PipelineStage[] {
  const at = STAGES.indexOf(current as Stage);
  return STAGES.map((stage, index) => {
    let latest: StageVisit | undefined;
    for (const visit of history) if (visit.stage === stage) latest = visit;
    const status = index < at || (index === at && stage === 'done') ? 'done' : index === at ? 'current' : 'pending';
    return { stage, status, enteredAt: latest?.enteredAt ?? null, leftAt: status === 'current' ? null : (latest?.leftAt ?? null) };
  });
}
