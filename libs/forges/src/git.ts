import { execFile } from 'node:child_process';

export interface GitOutput {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

export interface GitOptions {
  readonly cwd: string;
  readonly env?: NodeJS.ProcessEnv;
}

/** A git command that was expected to succeed and did not: broken infrastructure, not a domain failure. */
export class GitCommandError extends Error {
  constructor(
    readonly args: readonly string[],
    readonly code: number,
    readonly stderr: string,
  ) {
    super(`git ${args.join(' ')} exited with ${code}: ${stderr.trim()}`);
    this.name = 'GitCommandError';
  }
}

// Never wait for a password nobody will type; English messages keep parsing stable.
const gitEnv = { GIT_TERMINAL_PROMPT: '0', LC_ALL: 'C' };

/** Runs git with an argv array (never a shell); a non-zero exit is returned, not thrown. */
export function git(args: readonly string[], options: GitOptions): Promise<GitOutput> {
  return new Promise((resolve, reject) => {
    execFile(
      'git',
      args,
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

/** The commit a ref points to, or undefined when it does not exist. */
export async function resolveCommit(ref: string, options: GitOptions): Promise<string | undefined> {
  const out = await git(['rev-parse', '--verify', '--quiet', `${ref}^{commit}`], options);
  return out.code === 0 ? out.stdout.trim() : undefined;
}
