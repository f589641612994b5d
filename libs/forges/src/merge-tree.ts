import { git, GitCommandError } from '@cohort/runtime';

export type MergeTreeResult =
  | { readonly clean: true; readonly tree: string }
  | { readonly clean: false; readonly tree: string; readonly conflictingFiles: readonly string[] };

/**
 * Reads `git merge-tree --write-tree --name-only --no-messages` output: the tree id on
 * the first line, then (on exit 1) one conflicted path per line, possibly repeated.
 */
export function parseMergeTreeOutput(stdout: string, exitCode: number): MergeTreeResult {
  const [tree = '', ...rest] = stdout.split('\n');
  if (!/^[0-9a-f]{40,64}$/.test(tree)) throw new Error(`unexpected merge-tree output: ${JSON.stringify(stdout.slice(0, 200))}`);
  if (exitCode === 0) return { clean: true, tree };
  const files = [...new Set(rest.filter((line) => line.length > 0))].sort();
  return { clean: false, tree, conflictingFiles: files };
}

/**
 * Merges `head` into `base` without a worktree (git >= 2.38), so it works inside the
 * bare origin. Writes the result tree into the object store even on conflict.
 */
export async function mergeTree(repoDir: string, base: string, head: string): Promise<MergeTreeResult> {
  const args = ['merge-tree', '--write-tree', '--name-only', '--no-messages', base, head];
  const out = await git(args, { cwd: repoDir });
  if (out.code !== 0 && out.code !== 1) throw new GitCommandError(args, out.code, out.stderr);
  return parseMergeTreeOutput(out.stdout.trimEnd(), out.code);
}
