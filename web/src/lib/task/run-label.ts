import type { Run } from '../graphql/types.js';

const REASONS = { ci_failure: 'CI failure', review: 'review', conflict: 'conflict', user_message: 'your message' } as const;

/** The tab label of a run: `Initial`, `Resume 2 · CI failure`, `Review`. */
export function runLabel(run: Pick<Run, 'kind' | 'reason' | 'attempt'>, resumeNumber: number): string {
  if (run.kind === 'initial') return 'Initial';
  if (run.kind === 'review') return 'Review';
  const reason = run.reason ? ` · ${REASONS[run.reason]}` : '';
  return `Resume ${resumeNumber}${reason}`;
}

/** Labels for all runs, numbering resumes in order. */
export function runLabels(runs: readonly Pick<Run, 'id' | 'kind' | 'reason' | 'attempt'>[]): Map<string, string> {
  let resumes = 0;
  return new Map(runs.map((run) => [run.id, runLabel(run, run.kind === 'resume' ? ++resumes : 0)]));
}
