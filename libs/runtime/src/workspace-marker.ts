import { join } from 'node:path';
import { gitOk } from './git.js';
import { readJsonIfExists, writeJsonAtomic } from './json-file.js';

/** What a workspace knows about its own origin, kept inside its git dir so the checkout stays clean. */
export interface WorkspaceMarker {
  readonly baseBranch: string;
  readonly baseSha: string;
  readonly branch: string;
}

const markerFile = 'cohort-workspace.json';

async function markerPath(workspacePath: string): Promise<string> {
  // Each worktree has a private git dir (<mirror>/worktrees/<name>); the marker lives there.
  const gitDir = await gitOk(['rev-parse', '--absolute-git-dir'], { cwd: workspacePath });
  return join(gitDir, markerFile);
}

export async function writeWorkspaceMarker(workspacePath: string, marker: WorkspaceMarker): Promise<void> {
  await writeJsonAtomic(await markerPath(workspacePath), marker);
}

export async function readWorkspaceMarker(workspacePath: string): Promise<WorkspaceMarker | undefined> {
  return readJsonIfExists<WorkspaceMarker>(await markerPath(workspacePath));
}
