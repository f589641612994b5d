export type {
  CheckRun,
  ChecksReport,
  CheckStatus,
  Forge,
  ForgeError,
  ForgeErrorCategory,
  Mergeability,
  MergeInput,
  MergeOutcome,
  MergeRecord,
  OpenedPullRequest,
  OpenPullRequestInput,
  PullRequest,
  PullRequestState,
  Review,
  ReviewComment,
  ReviewInput,
  ReviewVerdict,
} from './forge.js';
export { LocalGitForge, type LocalGitForgeOptions } from './local-git-forge.js';
export { OutputTail, tailOf, type OutputTailOptions } from '@cohort/runtime';
export { err, ok, type Result } from '@cohort/runtime';
