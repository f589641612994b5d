import { execFileSync } from 'node:child_process';

/**
 * Runs git in `cwd` and returns its trimmed output, throwing when it fails. For
 * fixtures built step by step in a test; the identity is set here so commits
 * work on machines with no git identity configured.
 */
export function gitSync(cwd: string, ...args: string[]): string {
  return execFileSync('git', args, {
    cwd,
    encoding: 'utf8',
    env: { ...process.env, GIT_AUTHOR_NAME: 't', GIT_AUTHOR_EMAIL: 't@t', GIT_COMMITTER_NAME: 't', GIT_COMMITTER_EMAIL: 't@t' },
  }).trim();
}
