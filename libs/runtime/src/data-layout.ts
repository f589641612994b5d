import { createHash } from 'node:crypto';
import { join } from 'node:path';

/**
 * Paths under the runtime's data directory:
 *
 *   mirrors/<repoKey>.git         bare mirror of the repo (remote "origin")
 *   mirrors/<repoKey>.json        { repoId, url, lastUsedAt }
 *   worktrees/<workspaceId>/      the checkout a run works in
 *   workspaces/<workspaceId>.json the Workspace record
 */
export class DataLayout {
  constructor(readonly dataDir: string) {}

  get mirrorsDir(): string {
    return join(this.dataDir, 'mirrors');
  }
  get worktreesDir(): string {
    return join(this.dataDir, 'worktrees');
  }
  get workspacesDir(): string {
    return join(this.dataDir, 'workspaces');
  }
  mirrorDir(repoKey: string): string {
    return join(this.mirrorsDir, `${repoKey}.git`);
  }
  mirrorMeta(repoKey: string): string {
    return join(this.mirrorsDir, `${repoKey}.json`);
  }
  worktreeDir(workspaceId: string): string {
    return join(this.worktreesDir, workspaceId);
  }
  workspaceRecord(workspaceId: string): string {
    return join(this.workspacesDir, `${workspaceId}.json`);
  }
}

/**
 * A directory-safe key for a repo id. Repo ids may contain "/" and other characters,
 * so the readable part is sanitized and a hash of the exact id keeps keys distinct.
 */
export function repoKey(repoId: string): string {
  const readable = repoId.replace(/[^A-Za-z0-9_-]+/g, '_').slice(0, 60);
  const hash = createHash('sha256').update(repoId).digest('hex').slice(0, 10);
  return `${readable}-${hash}`;
}

/** Task and run ids never contain ".", so this id maps back to exactly one pair. */
export function workspaceIdOf(taskId: string, runId: string): string {
  return `${taskId}.${runId}`;
}

export interface MirrorMeta {
  readonly repoId: string;
  readonly url: string;
  readonly lastUsedAt: string;
}
