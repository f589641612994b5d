import { execFile } from 'node:child_process';
import { redactCredentials } from './redact.js';

export interface GitOutput {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

export interface GitOptions {
  readonly cwd: string;
  readonly env?: NodeJS.ProcessEnv;
}

/** A git command that was expected to succeed and did not. Broken infrastructure, not a domain failure. */
export class GitCommandError extends Error {
  constructor(
    readonly args: readonly string[],
    readonly code: number,
    readonly stderr: string,
  ) {
    super(redactCredentials(`git ${args.join(' ')} exited with ${code}: ${stderr.trim()}`));
    this.name = 'GitCommandError';
  }
}

// Git must never wait for a password on a terminal nobody watches, and its messages
// must be in English so that the few we match on are stable.
const gitEnv = { GIT_TERMINAL_PROMPT: '0', LC_ALL: 'C', GIT_ASKPASS: '' };

// Fetch, commit and push would each start a `git maintenance run --auto` process. The repositories
// this runs in are mirrors and worktrees the runtime owns and never wants compacted in the middle of a
// provision (mirrors have gc.auto=0 for the same reason), so that process is only cost.
const noAutoMaintenance = ['-c', 'maintenance.auto=false'];

/** Runs git with arguments as an argv array (never through a shell); a non-zero exit is returned, not thrown. */
export function git(args: readonly string[], options: GitOptions): Promise<GitOutput> {
  return new Promise((resolve, reject) => {
    execFile(
      'git',
      [...noAutoMaintenance, ...args],
      { cwd: options.cwd, env: { ...process.env, ...options.env, ...gitEnv }, maxBuffer: 64 * 1024 * 1024 },
      (error, stdout, stderr) => {
        if (error && typeof error.code !== 'number') {
          reject(error);
          return;
        }
        resolve({ code: error ? Number(error.code) : 0, stdout, stderr });
      },
    );
  });
}

/** Runs git and returns trimmed stdout; throws GitCommandError on a non-zero exit. */
export async function gitOk(args: readonly string[], options: GitOptions): Promise<string> {
  const out = await git(args, options);
  if (out.code !== 0) throw new GitCommandError(args, out.code, out.stderr);
  return out.stdout.trim();
}

/** The commit a ref points to, or undefined when the ref does not exist. */
export async function resolveCommit(ref: string, options: GitOptions): Promise<string | undefined> {
  const out = await git(['rev-parse', '--verify', '--quiet', `${ref}^{commit}`], options);
  return out.code === 0 ? out.stdout.trim() : undefined;
}

/**
 * The commits the branches `<prefix><branch>` point to (prefix `refs/heads/`
 * for a repository's own branches, `refs/remotes/origin/` for a mirror's),
 * for the branches that exist: one git process for all of them.
 */
export async function resolveBranchHeads(prefix: string, branches: readonly string[], options: GitOptions): Promise<Map<string, string>> {
  const found = new Map<string, string>();
  if (branches.length === 0) return found;
  const refs = new Map(branches.map((branch) => [`${prefix}${branch}`, branch]));
  const out = await gitOk(['for-each-ref', '--format=%(objecttype) %(objectname) %(refname)', ...refs.keys()], options);
  for (const line of out.split('\n')) {
    const [type, sha, ref] = line.split(' ');
    // A pattern also matches refs below it (origin/main/x); only exact names count.
    const branch = ref === undefined ? undefined : refs.get(ref);
    if (branch === undefined || sha === undefined) continue;
    const commit = type === 'commit' ? sha : await resolveCommit(ref!, options);
    if (commit !== undefined) found.set(branch, commit);
  }
  return found;
}

/**
 * Adds a worktree on `branch` at `commit`, resetting a local branch left by an
 * earlier run, so the workspace always starts from what origin has. When git
 * still has a stale registration for the path, prunes and tries once more.
 */
export async function addWorktree(mirrorDir: string, branch: string, path: string, commit: string): Promise<GitOutput> {
  const args = ['worktree', 'add', '--quiet', '--no-track', '-B', branch, path, commit];
  const added = await git(args, { cwd: mirrorDir });
  if (added.code === 0) return added;
  await git(['worktree', 'prune'], { cwd: mirrorDir });
  return git(args, { cwd: mirrorDir });
}
