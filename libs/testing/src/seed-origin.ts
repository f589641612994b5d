import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { gitSync } from './git-sync.js';

/** A bare origin and the clone its first commit was made in. */
export interface SeededOrigin {
  /** `<dir>/origin.git`, bare, with one commit on main. */
  readonly origin: string;
  /** The working repository that pushed that commit, kept to push more. */
  readonly clone: string;
}

/**
 * Creates a bare `origin.git` in `dir` whose main holds one commit with
 * `files` (path to content), made in `<dir>/<clone>`.
 */
export function seedOrigin(dir: string, files: Record<string, string>, clone = 'seed'): SeededOrigin {
  const origin = join(dir, 'origin.git');
  const work = join(dir, clone);
  gitSync(dir, 'init', '--quiet', '--bare', '-b', 'main', origin);
  gitSync(dir, 'init', '--quiet', '-b', 'main', work);
  for (const [path, content] of Object.entries(files)) {
    mkdirSync(dirname(join(work, path)), { recursive: true });
    writeFileSync(join(work, path), content);
  }
  gitSync(work, 'add', '.');
  gitSync(work, 'commit', '--quiet', '-m', 'initial');
  gitSync(work, 'push', '--quiet', origin, 'main');
  return { origin, clone: work };
}
