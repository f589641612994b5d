import { access, mkdir, rename, rm } from 'node:fs/promises';
import { isAbsolute, join, resolve } from 'node:path';
import { randomUUID } from 'node:crypto';
import { git, gitOk } from './git.js';
import { redactCredentials } from './redact.js';

// Remote branches land in refs/remotes/origin/*, never in refs/heads/*: local heads belong
// to worktrees, and a fetch must not move or prune a branch a run has checked out.
const fetchRefspec = '+refs/heads/*:refs/remotes/origin/*';

/**
 * Makes sure a bare mirror of `url` exists at `mirrorDir` and is fresh. Resolves to an
 * error message (credentials removed) when the repo cannot be reached. `knownUrl` is
 * the origin URL the caller knows the mirror has, which spares asking git for it.
 */
export async function refreshMirror(
  mirrorDir: string,
  url: string,
  options: { readonly knownUrl?: string } = {},
): Promise<string | undefined> {
  if (!(await exists(join(mirrorDir, 'HEAD')))) {
    // Built aside and renamed into place, so a crash never leaves a half-initialized mirror.
    const staging = `${mirrorDir}.${randomUUID()}.staging`;
    await mkdir(staging, { recursive: true });
    await gitOk(['init', '--quiet', '--bare', staging], { cwd: staging });
    await gitOk(['remote', 'add', 'origin', url], { cwd: staging });
    await gitOk(['config', 'remote.origin.fetch', fetchRefspec], { cwd: staging });
    // The mirror only serves worktrees; background gc could race with a provision.
    await gitOk(['config', 'gc.auto', '0'], { cwd: staging });
    await rm(mirrorDir, { recursive: true, force: true });
    await rename(staging, mirrorDir);
  } else if (options.knownUrl !== url) {
    const current = await git(['remote', 'get-url', 'origin'], { cwd: mirrorDir });
    if (current.stdout.trim() !== url) await gitOk(['remote', 'set-url', 'origin', url], { cwd: mirrorDir });
  }
  const fetched = await git(['fetch', '--quiet', '--prune', 'origin'], { cwd: mirrorDir });
  if (fetched.code !== 0) return redactCredentials(`git fetch of ${url} failed: ${fetched.stderr.trim()}`);
  return undefined;
}

async function exists(path: string): Promise<boolean> {
  try {
    await access(path);
    return true;
  } catch {
    return false;
  }
}

/**
 * Git resolves a relative path against the mirror directory, not against the caller's
 * working directory; relative local paths are made absolute here. URLs and scp-like
 * addresses (user@host:path) are left as they are.
 */
export function absoluteRepoUrl(url: string): string {
  if (isAbsolute(url) || /^[a-z][a-z0-9+.-]*:\/\//i.test(url) || /^[^/]+@[^/]+:/.test(url)) return url;
  return resolve(url);
}
