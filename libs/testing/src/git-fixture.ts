import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile, mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** Identity given per command, so tests pass on machines with no git identity configured. */
export const identity = ['-c', 'user.name=Test Author', '-c', 'user.email=author@example.test'];

export async function gitIn(cwd: string, ...args: string[]): Promise<string> {
  const { stdout } = await run('git', [...identity, ...args], { cwd, env: { ...process.env, LC_ALL: 'C' } });
  return stdout.trim();
}

export async function tempDir(prefix: string): Promise<string> {
  return mkdtemp(join(tmpdir(), `cohort-${prefix}-`));
}

export async function removeDir(path: string): Promise<void> {
  await rm(path, { recursive: true, force: true });
}

/**
 * A bare "origin" with one commit on main, plus a working clone to push more commits
 * from, as a person working on the repo would.
 */
export async function createOrigin(root: string, files: Record<string, string> = { 'README.md': 'hello\n' }) {
  const origin = join(root, 'origin.git');
  const work = join(root, 'author');
  await run('git', ['init', '--quiet', '--bare', '--initial-branch=main', origin]);
  await run('git', ['init', '--quiet', '--initial-branch=main', work]);
  await writeFiles(work, files);
  await gitIn(work, 'add', '--all');
  await gitIn(work, 'commit', '--quiet', '-m', 'initial');
  await gitIn(work, 'remote', 'add', 'origin', origin);
  await gitIn(work, 'push', '--quiet', 'origin', 'main');
  return {
    origin,
    work,
    /** Commits files on `branch` of the author's clone and pushes it; returns the new commit. */
    async commit(branch: string, changes: Record<string, string>, message = 'change'): Promise<string> {
      await gitIn(work, 'fetch', '--quiet', '--prune', 'origin');
      await gitIn(work, 'checkout', '--quiet', '-B', branch, `origin/${branch}`).catch(() =>
        gitIn(work, 'checkout', '--quiet', '-B', branch, 'origin/main'),
      );
      await writeFiles(work, changes);
      await gitIn(work, 'add', '--all');
      await gitIn(work, 'commit', '--quiet', '-m', message);
      await gitIn(work, 'push', '--quiet', 'origin', `${branch}:${branch}`);
      await gitIn(work, 'fetch', '--quiet', 'origin');
      return gitIn(work, 'rev-parse', 'HEAD');
    },
  };
}

export async function writeFiles(dir: string, files: Record<string, string>): Promise<void> {
  for (const [path, content] of Object.entries(files)) {
    await mkdir(dirname(join(dir, path)), { recursive: true });
    await writeFile(join(dir, path), content);
  }
}
