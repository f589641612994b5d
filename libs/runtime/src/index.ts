export type {
  CleanupReport,
  CleanupRequest,
  OutputLine,
  ProvisionError,
  ProvisionErrorCategory,
  ProvisionRequest,
  RepoSpec,
  Workspace,
  WorkspaceHealth,
  WorkspaceRuntime,
} from './workspace-runtime.js';
export { LocalWorktreeRuntime, type LocalWorktreeRuntimeOptions } from './local-worktree-runtime.js';
export { commitAndPush, type CommitAndPushError, type CommitAndPushOptions, type CommitAndPushResult } from './commit-and-push.js';
export { spawnTree, type ProcessExit, type ProcessTree, type SpawnTreeOptions } from './spawn-tree.js';
export { localProcessRunner, type ProcessRunner } from './process-runner.js';
export { branchNameProblem, isSafeId, isValidBranchName, taskBranchName, taskBranchPrefix } from './branch-name.js';
export { OutputTail, tailOf, type OutputTailOptions } from './output-tail.js';
export { redactCredentials } from './redact.js';
export { err, ok, type Result } from './result.js';
export { git, gitOk, resolveBranchHeads, resolveCommit, GitCommandError, type GitOptions, type GitOutput } from './git.js';
export { KeyedMutex } from './keyed-mutex.js';
export { readJsonIfExists, writeJsonAtomic } from './json-file.js';
