import { access, mkdir, readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { branchNameProblem, isSafeId } from './branch-name.js';
import { DataLayout, repoKey, workspaceIdOf, type MirrorMeta } from './data-layout.js';
import { addWorktree, git, resolveBranchHeads, type GitOutput } from './git.js';
import { readJsonIfExists, writeJsonAtomic } from './json-file.js';
import { KeyedMutex } from './keyed-mutex.js';
import { absoluteRepoUrl } from './mirror.js';
import { MirrorRefresher } from './mirror-refresher.js';
import type { OutputTailOptions } from './output-tail.js';
import { redactCredentials } from './redact.js';
import { err, ok, type Result } from './result.js';
import { runSetupCommands } from './setup-commands.js';
import { writeWorkspaceMarker } from './workspace-marker.js';
import type {
  CleanupReport,
  CleanupRequest,
  ProvisionError,
  ProvisionRequest,
  Workspace,
  WorkspaceHealth,
  WorkspaceRuntime,
} from './workspace-runtime.js';

export interface LocalWorktreeRuntimeOptions {
  /** Directory holding mirrors, worktrees and workspace records; created when missing. */
  readonly dataDir: string;
  /**
   * Limit for each setup command; the command's process tree is killed when it passes.
   * @default 600_000 (10 minutes)
   */
  readonly setupTimeoutMs?: number;
  /**
   * Environment of setup commands.
   * @default process.env
   */
  readonly setupEnv?: NodeJS.ProcessEnv;
  /**
   * Bounds of the output tail reported when a setup command fails.
   * @default { maxLines: 50, maxChars: 8192 }
   */
  readonly outputTail?: OutputTailOptions;
  /**
   * Source of the current time for records and mirror idleness.
   * @default () => new Date()
   */
  readonly clock?: () => Date;
}

/**
 * Runs workspaces as git worktrees on this machine: one bare mirror per repo and a
 * worktree per run. Safe for concurrent calls within one process (work on a repo is
 * serialized); across processes, exactly one owner (one pod-manager) per data
 * directory is assumed, since git's own locks do not cover a whole provision.
 */
export class LocalWorktreeRuntime implements WorkspaceRuntime {
  readonly #layout: DataLayout;
  /** Per repo: git work on its mirror. */
  readonly #locks = new KeyedMutex();
  /** Per task: a task's runs are provisioned and released one at a time; taken before a repo's lock. */
  readonly #taskLocks = new KeyedMutex();
  readonly #mirrors = new MirrorRefresher();
  readonly #setupTimeoutMs: number;
  readonly #setupEnv: NodeJS.ProcessEnv;
  readonly #tail: OutputTailOptions | undefined;
  readonly #clock: () => Date;
  /** Workspaces being provisioned: their directories exist before their records do. */
  readonly #inFlight = new Set<string>();

  constructor(options: LocalWorktreeRuntimeOptions) {
    this.#layout = new DataLayout(options.dataDir);
    this.#setupTimeoutMs = options.setupTimeoutMs ?? 600_000;
    this.#setupEnv = options.setupEnv ?? process.env;
    this.#tail = options.outputTail;
    this.#clock = options.clock ?? (() => new Date());
  }

  async provision(request: ProvisionRequest): Promise<Result<Workspace, ProvisionError>> {
    const invalid = validate(request);
    if (invalid) return err({ category: 'invalid_request', message: invalid, retryable: false });
    const arrivedAt = this.#mirrors.now();
    const workspaceId = workspaceIdOf(request.taskId, request.runId);
    // The task's lock is asked for before anything is awaited, so a task's runs are provisioned in the order
    // they were asked for: the later one supersedes the earlier, never the other way round.
    return this.#taskLocks.run(request.taskId, async () => {
      await this.#ensureDirs();
      this.#inFlight.add(workspaceId);
      try {
        return await this.#provisionTask(request, arrivedAt);
      } finally {
        this.#inFlight.delete(workspaceId);
      }
    });
  }

  /**
   * Under the task's lock: runs of one task never overlap here. Only the git
   * work on the shared mirror takes the repo's lock; setup commands run in the
   * run's own worktree outside it, so a slow install does not hold up every
   * other task of the repo.
   */
  async #provisionTask(request: ProvisionRequest, arrivedAt: number): Promise<Result<Workspace, ProvisionError>> {
    const key = repoKey(request.repo.id);
    const checkedOut = await this.#locks.run(key, () => this.#checkOut(request, key, arrivedAt));
    if (!checkedOut.ok || checkedOut.value.ready) return checkedOut.ok ? ok(checkedOut.value.workspace) : checkedOut;
    const workspace = checkedOut.value.workspace;

    const failure = await runSetupCommands(request.repo.setupCommands, {
      cwd: workspace.path,
      env: this.#setupEnv,
      timeoutMs: this.#setupTimeoutMs,
      tail: this.#tail,
      onOutput: request.onOutput,
    });
    if (failure) {
      await this.#locks.run(key, () => this.#removeWorktree(this.#layout.mirrorDir(key), workspace.path, workspace.branch));
      const how = failure.timedOut ? `timed out after ${this.#setupTimeoutMs} ms` : `exited with ${failure.exitCode ?? 'a signal'}`;
      return err({
        category: 'setup_failed',
        message: `setup command "${failure.command}" ${how}`,
        retryable: failure.timedOut,
        command: failure.command,
        exitCode: failure.exitCode,
        outputTail: failure.outputTail,
      });
    }
    await writeJsonAtomic(this.#layout.workspaceRecord(workspace.workspaceId), workspace);
    return ok(workspace);
  }

  /** Under the repo's lock: the worktree on the run's branch, or the healthy workspace the run already has (`ready`). */
  async #checkOut(
    request: ProvisionRequest,
    key: string,
    arrivedAt: number,
  ): Promise<Result<{ readonly workspace: Workspace; readonly ready: boolean }, ProvisionError>> {
    const { taskId, runId, repo, branch } = request;
    const baseBranch = request.baseBranch ?? repo.defaultBranch;
    const workspaceId = workspaceIdOf(taskId, runId);

    const existing = await this.#record(workspaceId);
    if (existing) {
      if ((await this.health(workspaceId)).status === 'healthy') return ok({ workspace: existing, ready: true });
      await this.#releaseLocked(existing);
    }
    // One run per task at a time: an earlier run's worktree still holds the branch.
    for (const other of await this.#recordsOfTask(taskId)) {
      if (other.workspaceId !== workspaceId) await this.#releaseLocked(other);
    }

    const mirrorDir = this.#layout.mirrorDir(key);
    const url = absoluteRepoUrl(repo.url);
    const fetchProblem = await this.#mirrors.refresh(key, mirrorDir, url, arrivedAt);
    await this.#touchMirror(key, repo.id, url);
    if (fetchProblem) return err({ category: 'repo_unreachable', message: fetchProblem, retryable: true });

    const remote = await resolveBranchHeads('refs/remotes/origin/', [baseBranch, branch], { cwd: mirrorDir });
    const baseSha = remote.get(baseBranch);
    if (!baseSha) {
      return err({
        category: 'base_branch_missing',
        message: redactCredentials(`base branch "${baseBranch}" does not exist on ${repo.url}`),
        retryable: false,
      });
    }
    // A branch already on origin holds earlier runs' commits: the run continues from there.
    const remoteHead = remote.get(branch);
    const headSha = remoteHead ?? baseSha;

    const path = this.#layout.worktreeDir(workspaceId);
    await rm(path, { recursive: true, force: true });
    const added = await addWorktree(mirrorDir, branch, path, headSha);
    if (added.code !== 0) {
      return err({
        category: 'worktree_failed',
        message: redactCredentials(`git worktree add for ${branch} failed: ${added.stderr.trim()}`),
        retryable: true,
      });
    }
    await writeWorkspaceMarker(path, { baseBranch, baseSha, branch });
    const workspace: Workspace = {
      workspaceId,
      taskId,
      runId,
      repoId: repo.id,
      path,
      branch,
      baseBranch,
      baseSha,
      headSha,
      resumed: remoteHead !== undefined,
      createdAt: this.#clock().toISOString(),
    };
    return ok({ workspace, ready: false });
  }

  async release(workspaceId: string): Promise<boolean> {
    const record = await this.#record(workspaceId);
    if (!record) return false;
    return this.#taskLocks.run(record.taskId, () =>
      this.#locks.run(repoKey(record.repoId), async () => {
        // Re-read under the locks: a concurrent release may have won.
        const current = await this.#record(workspaceId);
        if (!current) return false;
        await this.#releaseLocked(current);
        return true;
      }),
    );
  }

  async #releaseLocked(workspace: Workspace): Promise<void> {
    const key = repoKey(workspace.repoId);
    await this.#removeWorktree(this.#layout.mirrorDir(key), workspace.path, workspace.branch);
    await rm(this.#layout.workspaceRecord(workspace.workspaceId), { force: true });
    const meta = await readJsonIfExists<MirrorMeta>(this.#layout.mirrorMeta(key));
    if (meta) await this.#touchMirror(key, meta.repoId, meta.url);
  }

  async #removeWorktree(mirrorDir: string, path: string, branch: string): Promise<void> {
    let removed: GitOutput | undefined;
    if (await exists(mirrorDir)) {
      // Fails harmlessly when git no longer knows the worktree; the rm and prune below cover it.
      removed = await git(['worktree', 'remove', '--force', '--force', path], { cwd: mirrorDir });
    }
    await rm(path, { recursive: true, force: true });
    if (await exists(mirrorDir)) {
      // After a clean `worktree remove` git has nothing left to prune.
      if (removed?.code !== 0) await git(['worktree', 'prune'], { cwd: mirrorDir });
      // The local branch only mirrors what was pushed; origin keeps the real one.
      await git(['branch', '-D', branch], { cwd: mirrorDir });
    }
  }

  async cleanup(request: CleanupRequest): Promise<CleanupReport> {
    await this.#ensureDirs();
    const active = new Set(request.activeTaskIds);
    const releasedWorkspaceIds: string[] = [];
    for (const workspace of await this.list()) {
      if (active.has(workspace.taskId)) continue;
      if (await this.release(workspace.workspaceId)) releasedWorkspaceIds.push(workspace.workspaceId);
    }

    const removedOrphanPaths = await this.#removeOrphanWorktrees();

    const removedMirrorRepoIds: string[] = [];
    for (const entry of await readdir(this.#layout.mirrorsDir)) {
      if (!entry.endsWith('.json')) continue;
      const key = entry.slice(0, -'.json'.length);
      const removed = await this.#locks.run(key, async () => {
        const meta = await readJsonIfExists<MirrorMeta>(this.#layout.mirrorMeta(key));
        if (!meta) return undefined;
        const inUse = (await this.list()).some((w) => repoKey(w.repoId) === key);
        const idleMs = request.now.getTime() - Date.parse(meta.lastUsedAt);
        if (inUse || idleMs <= request.idleMirrorMs) return undefined;
        this.#mirrors.forget(key);
        await rm(this.#layout.mirrorDir(key), { recursive: true, force: true });
        await rm(this.#layout.mirrorMeta(key), { force: true });
        return meta.repoId;
      });
      if (removed !== undefined) removedMirrorRepoIds.push(removed);
    }
    return { releasedWorkspaceIds, removedMirrorRepoIds, removedOrphanPaths };
  }

  async #removeOrphanWorktrees(): Promise<string[]> {
    const known = new Set((await this.list()).map((w) => w.workspaceId));
    const removed: string[] = [];
    for (const name of await readdir(this.#layout.worktreesDir)) {
      if (known.has(name) || this.#inFlight.has(name)) continue;
      const path = this.#layout.worktreeDir(name);
      await rm(path, { recursive: true, force: true });
      removed.push(path);
    }
    if (removed.length > 0) {
      // Git still lists the deleted directories as worktrees (holding their branches) until pruned.
      for (const entry of await readdir(this.#layout.mirrorsDir)) {
        if (!entry.endsWith('.git')) continue;
        const key = entry.slice(0, -'.git'.length);
        await this.#locks.run(key, () => git(['worktree', 'prune'], { cwd: this.#layout.mirrorDir(key) }));
      }
    }
    return removed;
  }

  async health(workspaceId: string): Promise<WorkspaceHealth> {
    const record = await this.#record(workspaceId);
    if (!record) return { status: 'missing', reason: `no workspace "${workspaceId}"` };
    if (!(await exists(record.path))) return { status: 'missing', reason: `${record.path} does not exist` };
    const head = await git(['symbolic-ref', '--quiet', '--short', 'HEAD'], { cwd: record.path });
    if (head.code !== 0) return { status: 'corrupt', reason: `not a git checkout on a branch: ${head.stderr.trim()}` };
    if (head.stdout.trim() !== record.branch) {
      return { status: 'corrupt', reason: `HEAD is on "${head.stdout.trim()}", expected "${record.branch}"` };
    }
    const commit = await git(['rev-parse', '--verify', '--quiet', 'HEAD^{commit}'], { cwd: record.path });
    if (commit.code !== 0) return { status: 'corrupt', reason: 'HEAD does not point to a readable commit' };
    return { status: 'healthy' };
  }

  async list(): Promise<readonly Workspace[]> {
    const records = await this.#records((name) => name.endsWith('.json'));
    return records.sort((a, b) => a.workspaceId.localeCompare(b.workspaceId));
  }

  /** The records of a task's runs: their file names start with the task id, so no other record is read. */
  async #recordsOfTask(taskId: string): Promise<readonly Workspace[]> {
    const prefix = workspaceIdOf(taskId, '');
    const records = await this.#records((name) => name.startsWith(prefix) && name.endsWith('.json'));
    return records.filter((record) => record.taskId === taskId);
  }

  async #records(wanted: (fileName: string) => boolean): Promise<Workspace[]> {
    let entries: string[];
    try {
      entries = await readdir(this.#layout.workspacesDir);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw error;
    }
    const records = await Promise.all(
      entries.filter(wanted).map((name) => readJsonIfExists<Workspace>(join(this.#layout.workspacesDir, name))),
    );
    return records.filter((record): record is Workspace => record !== undefined);
  }

  #record(workspaceId: string): Promise<Workspace | undefined> {
    // Ids come from callers; only well-formed ones may become paths.
    const [taskId, runId, extra] = workspaceId.split('.');
    if (extra !== undefined || !taskId || !runId || !isSafeId(taskId) || !isSafeId(runId)) {
      return Promise.resolve(undefined);
    }
    return readJsonIfExists<Workspace>(this.#layout.workspaceRecord(workspaceId));
  }

  async #touchMirror(key: string, repoId: string, url: string): Promise<void> {
    const meta: MirrorMeta = { repoId, url, lastUsedAt: this.#clock().toISOString() };
    await writeJsonAtomic(this.#layout.mirrorMeta(key), meta);
  }

  async #ensureDirs(): Promise<void> {
    await mkdir(this.#layout.mirrorsDir, { recursive: true });
    await mkdir(this.#layout.worktreesDir, { recursive: true });
    await mkdir(this.#layout.workspacesDir, { recursive: true });
  }
}

function validate(request: ProvisionRequest): string | undefined {
  if (!isSafeId(request.taskId)) {
    return `task id "${request.taskId}" is not valid; use 1-100 letters, digits, "_" or "-"`;
  }
  if (!isSafeId(request.runId)) {
    return `run id "${request.runId}" is not valid; use 1-100 letters, digits, "_" or "-"`;
  }
  if (request.repo.id.length === 0) return 'repo id is empty';
  if (request.repo.url.length === 0) return `repo "${request.repo.id}" has no url`;
  for (const [label, name] of [
    ['branch', request.branch],
    ['base branch', request.baseBranch ?? request.repo.defaultBranch],
  ] as const) {
    const problem = branchNameProblem(name);
    if (problem) return `${label} "${name}" ${problem}`;
  }
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
