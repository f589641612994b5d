import type { Result } from './result.js';

export interface RepoSpec {
  /** Stable id of the registered repository; one mirror is kept per id. */
  readonly id: string;
  /** Anything `git clone` accepts: a URL or a local path. */
  readonly url: string;
  readonly defaultBranch: string;
  /** Run in order with `/bin/sh -c` in each new workspace. */
  readonly setupCommands: readonly string[];
}

export interface ProvisionRequest {
  readonly taskId: string;
  readonly runId: string;
  readonly repo: RepoSpec;
  /** Branch the run works on, usually `cohort/<taskId>`. */
  readonly branch: string;
  /** Branch the work is based on; the repo's default branch when omitted. */
  readonly baseBranch?: string;
  /** Receives setup command output line by line, for the run's logs. */
  readonly onOutput?: (entry: OutputLine) => void;
}

export interface OutputLine {
  readonly command: string;
  readonly stream: 'stdout' | 'stderr';
  readonly line: string;
}

export interface Workspace {
  readonly workspaceId: string;
  readonly taskId: string;
  readonly runId: string;
  readonly repoId: string;
  /** Absolute path of the checkout the agent runs in. */
  readonly path: string;
  readonly branch: string;
  readonly baseBranch: string;
  /** Commit of the base branch on origin when the workspace was provisioned. */
  readonly baseSha: string;
  /** Commit checked out at provision: the remote task branch when it existed, else baseSha. */
  readonly headSha: string;
  /** Whether the branch already existed on origin, i.e. this run resumes earlier work. */
  readonly resumed: boolean;
  readonly createdAt: string;
}

export type ProvisionErrorCategory =
  /** The request itself is wrong (bad id or branch name); retrying will not help. */
  | 'invalid_request'
  /** The repository could not be cloned or fetched (network, credentials, wrong URL). */
  | 'repo_unreachable'
  /** The base branch does not exist on origin. */
  | 'base_branch_missing'
  /** Git failed to create the worktree. */
  | 'worktree_failed'
  /** A setup command exited non-zero or timed out. */
  | 'setup_failed';

export interface ProvisionError {
  readonly category: ProvisionErrorCategory;
  /** Readable, free of credentials. */
  readonly message: string;
  /** Whether the same request may succeed later without a change by a person. */
  readonly retryable: boolean;
  /** For setup_failed: the failing command, its exit code (null when killed) and the end of its output. */
  readonly command?: string;
  readonly exitCode?: number | null;
  readonly outputTail?: string;
}

export interface CleanupRequest {
  /** Tasks whose workspaces must be kept; every other workspace is released. */
  readonly activeTaskIds: ReadonlySet<string> | readonly string[];
  /** A mirror with no workspace that was last used longer ago than this is deleted. */
  readonly idleMirrorMs: number;
  readonly now: Date;
}

export interface CleanupReport {
  readonly releasedWorkspaceIds: readonly string[];
  readonly removedMirrorRepoIds: readonly string[];
  /** Worktree directories with no workspace record, left by a provision that crashed. */
  readonly removedOrphanPaths: readonly string[];
}

export type WorkspaceHealth =
  | { readonly status: 'healthy' }
  | { readonly status: 'missing'; readonly reason: string }
  | { readonly status: 'corrupt'; readonly reason: string };

/**
 * Where runs happen. The local runtime keeps worktrees on this machine; a Kubernetes
 * runtime keeps a pod per repo with a worktree per run behind the same interface.
 */
export interface WorkspaceRuntime {
  /**
   * Prepares a checkout of `branch` for a run. Idempotent per (taskId, runId): a
   * second call returns the existing workspace. A new run of a task supersedes an
   * earlier run's workspace of the same task (one run per task at a time).
   */
  provision(request: ProvisionRequest): Promise<Result<Workspace, ProvisionError>>;
  /** Removes a workspace; unknown ids are a no-op. Resolves to whether something was removed. */
  release(workspaceId: string): Promise<boolean>;
  /** Releases workspaces of inactive tasks and deletes idle mirrors. */
  cleanup(request: CleanupRequest): Promise<CleanupReport>;
  health(workspaceId: string): Promise<WorkspaceHealth>;
  list(): Promise<readonly Workspace[]>;
}
