import type { Result } from '@cohort/runtime';

export type PullRequestState = 'open' | 'merged' | 'closed';

export interface PullRequest {
  readonly number: number;
  /** Branch with the changes (the head). */
  readonly branch: string;
  /** Branch the changes go into. */
  readonly base: string;
  readonly title: string;
  readonly body: string;
  readonly draft: boolean;
  readonly state: PullRequestState;
  /** Current head commit while open; the head that was merged or closed otherwise. */
  readonly headSha: string;
  readonly createdAt: string;
  readonly updatedAt: string;
  readonly merge?: MergeRecord;
  /** The result of the last runChecks, if any. */
  readonly lastChecks?: ChecksReport;
}

export interface MergeRecord {
  readonly commitSha: string;
  readonly baseShaBefore: string;
  readonly headSha: string;
  readonly mergedAt: string;
}

export interface OpenPullRequestInput {
  readonly branch: string;
  readonly base: string;
  readonly title: string;
  readonly body: string;
  readonly draft?: boolean;
}

export interface OpenedPullRequest {
  readonly pullRequest: PullRequest;
  /** False when an open pull request for the branch already existed and was returned instead. */
  readonly created: boolean;
}

export type CheckStatus = 'passing' | 'failing';

export interface CheckRun {
  readonly name: string;
  readonly status: CheckStatus;
  readonly outputTail: string;
  /** Null when the check was killed (timeout). */
  readonly exitCode?: number | null;
  readonly durationMs?: number;
}

export interface ChecksReport {
  readonly status: CheckStatus;
  readonly checks: readonly CheckRun[];
  /** The commit the checks ran on. */
  readonly headSha: string;
}

export type ReviewVerdict = 'approve' | 'request_changes' | 'comment';

export interface ReviewComment {
  /** Path relative to the repository root. */
  readonly path: string;
  /** 1-based line in the head version of the file. */
  readonly line: number;
  readonly body: string;
}

export interface ReviewInput {
  readonly verdict: ReviewVerdict;
  readonly body: string;
  readonly comments: readonly ReviewComment[];
  readonly reviewer: string;
}

export interface Review extends ReviewInput {
  readonly id: string;
  readonly pullRequestNumber: number;
  /** The head commit the review was given on. */
  readonly headSha: string;
  readonly submittedAt: string;
}

export interface Mergeability {
  readonly mergeable: boolean;
  /** Sorted paths that conflict; empty when mergeable. */
  readonly conflictingFiles: readonly string[];
  readonly baseSha: string;
  readonly headSha: string;
}

export interface MergeInput {
  readonly method: 'squash';
  /**
   * The head CI and reviewers saw; the merge is refused if the branch has moved since.
   * Required so that nothing unchecked is ever merged by accident.
   */
  readonly expectedHeadSha: string;
}

export interface MergeOutcome {
  readonly mergeCommitSha: string;
  /** True when the pull request had already been merged and nothing new was merged now. */
  readonly alreadyMerged: boolean;
  readonly pullRequest: PullRequest;
}

export type ForgeErrorCategory =
  /** No pull request with that number. */
  | 'not_found'
  /** The input is wrong (empty title, bad branch name, bad comment line); retrying will not help. */
  | 'invalid_request'
  /** The head or base branch does not exist on origin. */
  | 'branch_not_found'
  /** The pull request is merged or closed, and the operation needs it open. */
  | 'not_open'
  /** The head moved since the caller looked (expectedHeadSha differs). */
  | 'head_changed'
  /** Head and base do not merge cleanly. */
  | 'conflict'
  /** The base branch moved while merging; nothing was changed, retry after a fresh look. */
  | 'base_moved';

export interface ForgeError {
  readonly category: ForgeErrorCategory;
  readonly message: string;
  readonly conflictingFiles?: readonly string[];
  readonly expectedHeadSha?: string;
  readonly actualHeadSha?: string;
}

/**
 * Where pull requests live. The local git forge keeps them next to a bare repository;
 * a GitHub forge maps the same operations onto the REST API.
 */
export interface Forge {
  /** Idempotent per branch: an open pull request for the branch is returned instead of a second one. */
  openPullRequest(input: OpenPullRequestInput): Promise<Result<OpenedPullRequest, ForgeError>>;
  getPullRequest(number: number): Promise<Result<PullRequest, ForgeError>>;
  listOpen(): Promise<readonly PullRequest[]>;
  /** Runs (or fetches) the checks of the current head. */
  runChecks(number: number): Promise<Result<ChecksReport, ForgeError>>;
  submitReview(number: number, review: ReviewInput): Promise<Result<Review, ForgeError>>;
  listReviews(number: number): Promise<Result<readonly Review[], ForgeError>>;
  mergeability(number: number): Promise<Result<Mergeability, ForgeError>>;
  /** Merges exactly once: a later call reports the existing merge commit. */
  merge(number: number, input: MergeInput): Promise<Result<MergeOutcome, ForgeError>>;
  /** Closes without merging; closing a closed pull request is a no-op. */
  close(number: number): Promise<Result<PullRequest, ForgeError>>;
}
