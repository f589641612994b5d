import { ResumeReason, RunKind, TaskKind } from '@cohort/contracts';
import type { RunState, TaskState } from '../task/task-state.js';
import { branchFor } from '../task/reconcile.js';
import {
  INITIAL_REPO_TASK_PROMPT,
  INITIAL_STANDALONE_TASK_PROMPT,
  RESUME_CI_FAILURE_PROMPT,
  RESUME_CONFLICT_PROMPT,
  RESUME_REVIEW_PROMPT,
  RESUME_USER_MESSAGE_PROMPT,
  REVIEW_AGENT_PROMPT,
} from './default-prompts.js';
import { renderTemplate, type RenderResult } from './render.js';

/** Overrides of the shipped prompt texts, e.g. from an operator's config. */
export interface PromptTexts {
  readonly initialRepo: string;
  readonly initialStandalone: string;
  readonly ciFailure: string;
  readonly review: string;
  readonly conflict: string;
  readonly userMessage: string;
  readonly reviewAgent: string;
}

export const DEFAULT_PROMPT_TEXTS: PromptTexts = {
  initialRepo: INITIAL_REPO_TASK_PROMPT,
  initialStandalone: INITIAL_STANDALONE_TASK_PROMPT,
  ciFailure: RESUME_CI_FAILURE_PROMPT,
  review: RESUME_REVIEW_PROMPT,
  conflict: RESUME_CONFLICT_PROMPT,
  userMessage: RESUME_USER_MESSAGE_PROMPT,
  reviewAgent: REVIEW_AGENT_PROMPT,
};

/** The prompt a run is given, from the task and the run's context. */
export function promptForRun(state: TaskState, run: RunState, texts: PromptTexts = DEFAULT_PROMPT_TEXTS): RenderResult {
  const spec = state.spec;
  const base = {
    title: spec.title,
    prompt: spec.prompt,
    repo: spec.repoId,
    branch: state.kind === TaskKind.REPO ? branchFor(state.id) : '',
    baseBranch: spec.baseBranch,
    issueNumber: spec.source?.issueNumber ?? 0,
    prNumber: state.pr?.number ?? 0,
    headSha: run.headSha || state.pr?.headSha || '',
  };
  if (run.kind === RunKind.REVIEW) return renderTemplate(texts.reviewAgent, base);
  if (run.kind !== RunKind.RESUME) return renderTemplate(state.kind === TaskKind.REPO ? texts.initialRepo : texts.initialStandalone, base);
  const c = run.context;
  switch (run.reason) {
    case ResumeReason.CI_FAILURE:
      return renderTemplate(texts.ciFailure, {
        ...base,
        failingChecks: (c?.failingChecks ?? []).map((k) => ({ name: k.name, outputTail: k.outputTail })),
      });
    case ResumeReason.REVIEW:
      return renderTemplate(texts.review, {
        ...base,
        reviewBody: c?.reviewBody ?? '',
        comments: (c?.reviewComments ?? []).map((k) => ({ path: k.path, line: k.line, body: k.body })),
      });
    case ResumeReason.CONFLICT:
      return renderTemplate(texts.conflict, { ...base, files: [...(c?.conflictingFiles ?? [])], baseSha: c?.baseSha ?? '' });
    default:
      return renderTemplate(texts.userMessage, { ...base, message: c?.message ?? '', by: '' });
  }
}
