import { type ResumeReason, type RunKind } from '../agent-adapter.js';

/** The playbook key a run looks up: `initial`, `review`, `resume:<reason>` (or `resume` without one). */
export function runKindKey(runKind: RunKind, resumeReason?: ResumeReason): string {
  if (runKind !== 'resume') return runKind;
  return resumeReason === undefined ? 'resume' : `resume:${resumeReason}`;
}

export const RUN_KIND_KEYS = [
  'initial',
  'resume',
  'resume:ci_failure',
  'resume:review',
  'resume:conflict',
  'resume:user_message',
  'review',
  'default',
] as const;
