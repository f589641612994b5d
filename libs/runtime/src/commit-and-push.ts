import { access } from 'node:fs/promises';
import { resolve } from 'node:path';
import { branchNameProblem } from './branch-name.js';
import { git, gitOk, resolveCommit } from './git.js';
import { redactCredentials } from './redact.js';
import { err, ok, type Result } from './result.js';
import { readWorkspaceMarker } from './workspace-marker.js';

export interface CommitAndPushOptions {
  readonly message: string;
  readonly branch: string;
  readonly author: { readonly name: string; readonly email: string };
  /**
   * Commit or ref the branch's work is measured against for `hasChanges`.
   * @default the base commit recorded when the workspace was provisioned
   */
  readonly base?: string;
}

export interface CommitAndPushResult {
  readonly headSha: string;
  /** Whether the branch has commits beyond the base, i.e. there is something to review. */
  readonly hasChanges: boolean;
  /** Whether uncommitted changes were found and committed now. */
  readonly committed: boolean;
  /** Whether origin's branch was updated (false when it already was at headSha). */
  readonly pushed: boolean;
}

export interface CommitAndPushError {
  /**
   * invalid_request: bad options or not a workspace; unfinished_operation: a merge,
   * rebase or cherry-pick is in progress (committing would record conflict markers);
   * push_rejected: origin refused the push (usually someone else pushed the branch).
   */
  readonly category: 'invalid_request' | 'unfinished_operation' | 'push_rejected';
  readonly message: string;
}

/**
 * Commits everything in the workspace (if anything changed) and pushes the branch to
 * origin. The push is forced with a lease on the last known origin position, so a
 * rebased branch is accepted while someone else's newer push is not overwritten.
 */
export async function commitAndPush(
  workspacePath: string,
  options: CommitAndPushOptions,
): Promise<Result<CommitAndPushResult, CommitAndPushError>> {
  const problem = branchNameProblem(options.branch);
  if (problem) return err({ category: 'invalid_request', message: `branch "${options.branch}" ${problem}` });
  if (options.message.trim().length === 0) return err({ category: 'invalid_request', message: 'commit message is empty' });
  const cwd = workspacePath;

  const markers = Object.entries(unfinishedMarkers);
  const paths = (await gitOk(['rev-parse', ...markers.flatMap(([marker]) => ['--git-path', marker])], { cwd })).split('\n');
  for (const [index, [, operation]] of markers.entries()) {
    if (await exists(resolve(cwd, paths[index]!))) {
      return err({
        category: 'unfinished_operation',
        message: `${cwd} has an unfinished ${operation}; finish it or abort it (git ${operation} --abort) first`,
      });
    }
  }

  await gitOk(['add', '--all'], { cwd });
  const staged = await git(['diff', '--cached', '--quiet'], { cwd });
  const committed = staged.code === 1;
  if (committed) {
    const identity = ['-c', `user.name=${options.author.name}`, '-c', `user.email=${options.author.email}`];
    await gitOk([...identity, 'commit', '--quiet', '--no-verify', '-m', options.message], { cwd });
  }
  const headSha = await gitOk(['rev-parse', 'HEAD'], { cwd });

  const base = options.base ?? (await readWorkspaceMarker(cwd))?.baseSha;
  if (!base) {
    return err({ category: 'invalid_request', message: `no base given and ${cwd} is not a provisioned workspace` });
  }
  const ahead = Number(await gitOk(['rev-list', '--count', `${base}..HEAD`], { cwd }));

  const lease = (await resolveCommit(`refs/remotes/origin/${options.branch}`, { cwd })) ?? '';
  if (lease === headSha) return ok({ headSha, hasChanges: ahead > 0, committed, pushed: false });
  const ref = `refs/heads/${options.branch}`;
  // An empty lease means "the branch must not exist on origin yet".
  const pushed = await git(['push', '--quiet', `--force-with-lease=${ref}:${lease}`, 'origin', `HEAD:${ref}`], {
    cwd,
  });
  if (pushed.code !== 0) {
    return err({
      category: 'push_rejected',
      message: redactCredentials(`push of ${options.branch} was rejected: ${pushed.stderr.trim()}`),
    });
  }
  return ok({ headSha, hasChanges: ahead > 0, committed, pushed: true });
}

/** Files git keeps in the git dir while an operation waits for conflicts to be resolved. */
const unfinishedMarkers: Readonly<Record<string, string>> = {
  MERGE_HEAD: 'merge',
  'rebase-merge': 'rebase',
  'rebase-apply': 'rebase',
  CHERRY_PICK_HEAD: 'cherry-pick',
  REVERT_HEAD: 'revert',
};

async function exists(path: string): Promise<boolean> {
  try {
    await access(path);
    return true;
  } catch {
    return false;
  }
}
