import { access, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createOrigin, gitIn, removeDir, tempDir } from '@cohort/testing';
import { commitAndPush } from './commit-and-push.js';
import { LocalWorktreeRuntime } from './local-worktree-runtime.js';
import type { ProvisionRequest, RepoSpec, Workspace } from './workspace-runtime.js';

const author = { name: 'Cohort Agent', email: 'agent@cohort.test' };

async function exists(path: string): Promise<boolean> {
  return access(path).then(
    () => true,
    () => false,
  );
}

describe('LocalWorktreeRuntime', () => {
  let root: string;
  let origin: Awaited<ReturnType<typeof createOrigin>>;
  let runtime: LocalWorktreeRuntime;
  let repo: RepoSpec;

  const request = (taskId: string, runId: string, overrides: Partial<ProvisionRequest> = {}): ProvisionRequest => ({
    taskId,
    runId,
    repo,
    branch: `cohort/${taskId}`,
    baseBranch: 'main',
    ...overrides,
  });

  const provisioned = async (req: ProvisionRequest): Promise<Workspace> => {
    const result = await runtime.provision(req);
    if (!result.ok) throw new Error(`provision failed: ${result.error.message}`);
    return result.value;
  };

  beforeEach(async () => {
    root = await tempDir('runtime');
    origin = await createOrigin(root);
    repo = { id: 'acme/web', url: origin.origin, defaultBranch: 'main', setupCommands: [] };
    runtime = new LocalWorktreeRuntime({ dataDir: join(root, 'data') });
  });
  afterEach(async () => removeDir(root));

  it('provisions a worktree on the task branch at the base commit', async () => {
    const mainSha = await gitIn(origin.work, 'rev-parse', 'HEAD');
    const workspace = await provisioned(request('t1', 'r1'));

    expect(workspace).toMatchObject({ workspaceId: 't1.r1', branch: 'cohort/t1', baseSha: mainSha, headSha: mainSha, resumed: false });
    expect(await readFile(join(workspace.path, 'README.md'), 'utf8')).toBe('hello\n');
    expect(await gitIn(workspace.path, 'symbolic-ref', '--short', 'HEAD')).toBe('cohort/t1');
    expect(await runtime.health('t1.r1')).toEqual({ status: 'healthy' });
    expect((await runtime.list()).map((w) => w.workspaceId)).toEqual(['t1.r1']);
  });

  it('sees commits pushed to main after the mirror was created', async () => {
    await provisioned(request('t1', 'r1'));
    const newer = await origin.commit('main', { 'NEW.md': 'new\n' });
    const second = await provisioned(request('t2', 'r1'));
    expect(second.baseSha).toBe(newer);
    expect(await exists(join(second.path, 'NEW.md'))).toBe(true);
  });

  it('returns the same workspace when the same run is provisioned twice', async () => {
    const first = await provisioned(request('t1', 'r1'));
    await writeFile(join(first.path, 'scratch.txt'), 'kept');
    const second = await provisioned(request('t1', 'r1'));
    expect(second).toEqual(first);
    expect(await readFile(join(second.path, 'scratch.txt'), 'utf8')).toBe('kept');
  });

  it('lets a resumed run see the commits the previous run pushed', async () => {
    const first = await provisioned(request('t1', 'r1'));
    await writeFile(join(first.path, 'feature.txt'), 'from run 1\n');
    const pushed = await commitAndPush(first.path, { message: 'run 1 work', branch: 'cohort/t1', author });
    expect(pushed.ok && pushed.value).toMatchObject({ committed: true, pushed: true, hasChanges: true });
    await runtime.release(first.workspaceId);

    const resumed = await provisioned(request('t1', 'r2'));
    expect(resumed.resumed).toBe(true);
    expect(resumed.headSha).toBe(pushed.ok ? pushed.value.headSha : '');
    expect(await readFile(join(resumed.path, 'feature.txt'), 'utf8')).toBe('from run 1\n');
    expect(await gitIn(resumed.path, 'log', '--format=%s', '-1')).toBe('run 1 work');
  });

  it('supersedes an earlier run of the same task that was never released', async () => {
    const first = await provisioned(request('t1', 'r1'));
    const second = await provisioned(request('t1', 'r2'));
    expect(await exists(first.path)).toBe(false);
    expect((await runtime.health(first.workspaceId)).status).toBe('missing');
    expect((await runtime.list()).map((w) => w.workspaceId)).toEqual([second.workspaceId]);
  });

  it('runs setup commands in the worktree and streams their output', async () => {
    repo = { ...repo, setupCommands: ['echo installing', 'echo done > setup-marker && echo warn >&2'] };
    const lines: string[] = [];
    const workspace = await provisioned(request('t1', 'r1', { onOutput: (o) => lines.push(`${o.stream}:${o.line}`) }));
    expect(await readFile(join(workspace.path, 'setup-marker'), 'utf8')).toBe('done\n');
    expect(lines).toEqual(['stdout:installing', 'stderr:warn']);
  });

  it('runs the setup commands of two tasks of one repo at the same time', async () => {
    // Each setup leaves its mark and waits for the other's: were setups serialized per repo, the first would time out.
    const rendezvous = join(root, 'rendezvous');
    await rm(rendezvous, { recursive: true, force: true });
    await writeFile(
      join(root, 'wait-for-both.sh'),
      'mkdir -p "$1"; touch "$1/$(basename "$PWD")"\nfor i in $(seq 100); do [ "$(ls "$1" | wc -l)" -ge 2 ] && exit 0; sleep 0.05; done\nexit 1\n',
    );
    repo = { ...repo, setupCommands: [`sh ${join(root, 'wait-for-both.sh')} ${rendezvous}`] };

    const [a, b] = await Promise.all([runtime.provision(request('t1', 'r1')), runtime.provision(request('t2', 'r1'))]);

    expect(a.ok && b.ok).toBe(true);
    expect((await readdir(rendezvous)).sort()).toEqual(['t1.r1', 't2.r1']);
  });

  it('provisions two runs of one task one after the other, the later superseding the earlier', async () => {
    repo = { ...repo, setupCommands: ['sleep 0.2'] };

    const [first, second] = await Promise.all([runtime.provision(request('t1', 'r1')), runtime.provision(request('t1', 'r2'))]);

    expect(first.ok && second.ok).toBe(true);
    expect((await runtime.list()).map((w) => w.workspaceId)).toEqual(['t1.r2']);
    expect((await runtime.health('t1.r2')).status).toBe('healthy');
  });

  it('fails with the command, its exit code and output tail when a setup command fails', async () => {
    repo = { ...repo, setupCommands: ['true', 'echo "npm ERR! missing script"; exit 7', 'touch never-run'] };
    const result = await runtime.provision(request('t1', 'r1'));
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.error).toMatchObject({
      category: 'setup_failed',
      command: 'echo "npm ERR! missing script"; exit 7',
      exitCode: 7,
      outputTail: 'npm ERR! missing script',
    });
    expect(result.error.message).toContain('exited with 7');
    expect(await runtime.list()).toEqual([]);
    expect(await exists(join(root, 'data', 'worktrees', 't1.r1'))).toBe(false);
  });

  it('kills a setup command that runs past its timeout', async () => {
    runtime = new LocalWorktreeRuntime({ dataDir: join(root, 'data'), setupTimeoutMs: 300 });
    repo = { ...repo, setupCommands: ['sleep 30'] };
    const started = Date.now();
    const result = await runtime.provision(request('t1', 'r1'));
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(!result.ok && result.error).toMatchObject({ category: 'setup_failed', retryable: true });
  });

  it('reports a missing base branch and an unreachable repo as typed failures', async () => {
    const noBase = await runtime.provision(request('t1', 'r1', { baseBranch: 'release' }));
    expect(!noBase.ok && noBase.error.category).toBe('base_branch_missing');

    repo = { ...repo, id: 'gone', url: join(root, 'does-not-exist.git') };
    const unreachable = await runtime.provision(request('t2', 'r1'));
    expect(!unreachable.ok && unreachable.error).toMatchObject({ category: 'repo_unreachable', retryable: true });
  });

  it('rejects ids and branch names that are not safe before touching git', async () => {
    const badTask = await runtime.provision(request('../etc', 'r1', { branch: 'cohort/x' }));
    expect(!badTask.ok && badTask.error.category).toBe('invalid_request');
    const badBranch = await runtime.provision(request('t1', 'r1', { branch: 'cohort/t1..x' }));
    expect(!badBranch.ok && badBranch.error.message).toContain('contains ".."');
  });

  it('releases a workspace by removing its worktree, and treats a second release as a no-op', async () => {
    const workspace = await provisioned(request('t1', 'r1'));
    expect(await runtime.release(workspace.workspaceId)).toBe(true);
    expect(await exists(workspace.path)).toBe(false);
    expect(await runtime.release(workspace.workspaceId)).toBe(false);
    const mirror = join(root, 'data', 'mirrors');
    const [mirrorDir] = (await readdir(mirror)).filter((n) => n.endsWith('.git'));
    expect(await gitIn(join(mirror, mirrorDir ?? ''), 'worktree', 'list', '--porcelain')).not.toContain('t1.r1');
  });

  it('reports a deleted worktree as missing and a detached one as corrupt', async () => {
    const a = await provisioned(request('t1', 'r1'));
    const b = await provisioned(request('t2', 'r1'));
    await rm(a.path, { recursive: true, force: true });
    expect((await runtime.health(a.workspaceId)).status).toBe('missing');
    await gitIn(b.path, 'checkout', '--quiet', '--detach');
    expect(await runtime.health(b.workspaceId)).toMatchObject({ status: 'corrupt' });
    expect((await runtime.health('nope.r1')).status).toBe('missing');
  });

  it('cleans up worktrees of inactive tasks and mirrors idle past the threshold', async () => {
    const keep = await provisioned(request('active', 'r1'));
    const drop = await provisioned(request('done', 'r1'));
    const now = new Date();

    const first = await runtime.cleanup({ activeTaskIds: ['active'], idleMirrorMs: 0, now: new Date(now.getTime() + 60_000) });
    expect(first).toEqual({ releasedWorkspaceIds: [drop.workspaceId], removedMirrorRepoIds: [], removedOrphanPaths: [] });
    expect(await exists(keep.path)).toBe(true);
    expect(await exists(drop.path)).toBe(false);

    const notYetIdle = await runtime.cleanup({ activeTaskIds: [], idleMirrorMs: 3_600_000, now: new Date(now.getTime() + 60_000) });
    expect(notYetIdle).toEqual({ releasedWorkspaceIds: [keep.workspaceId], removedMirrorRepoIds: [], removedOrphanPaths: [] });

    const idle = await runtime.cleanup({ activeTaskIds: [], idleMirrorMs: 3_600_000, now: new Date(now.getTime() + 7_200_000) });
    expect(idle.removedMirrorRepoIds).toEqual(['acme/web']);

    // A removed mirror is recreated on the next provision.
    const again = await provisioned(request('later', 'r1'));
    expect(await exists(join(again.path, 'README.md'))).toBe(true);
  });

  it('removes worktree directories a crashed provision left without a record, and frees their branch', async () => {
    const workspace = await provisioned(request('t1', 'r1'));
    // What a crash between "git worktree add" and writing the record leaves behind.
    await rm(join(root, 'data', 'workspaces', 't1.r1.json'));

    const report = await runtime.cleanup({ activeTaskIds: ['t1'], idleMirrorMs: 3_600_000, now: new Date() });
    expect(report.removedOrphanPaths).toEqual([workspace.path]);
    expect(await exists(workspace.path)).toBe(false);
    const again = await provisioned(request('t1', 'r2'));
    expect(await runtime.health(again.workspaceId)).toEqual({ status: 'healthy' });
  });

  it('serves concurrent provisions of one repo without corrupting the mirror', async () => {
    await origin.commit('cohort/t3', { 'earlier.txt': 'x\n' });
    const results = await Promise.all(Array.from({ length: 6 }, (_, i) => runtime.provision(request(`t${i}`, 'r1'))));
    expect(results.every((r) => r.ok)).toBe(true);
    const workspaces = results.map((r) => (r.ok ? r.value : undefined));
    expect(new Set(workspaces.map((w) => w?.path)).size).toBe(6);
    expect(workspaces[3]?.resumed).toBe(true);
    for (const w of workspaces) expect(await runtime.health(w?.workspaceId ?? '')).toEqual({ status: 'healthy' });
    const mirrors = join(root, 'data', 'mirrors');
    const mirrorDir = (await readdir(mirrors)).find((n) => n.endsWith('.git')) ?? '';
    expect(await gitIn(join(mirrors, mirrorDir), 'fsck', '--no-dangling')).toBe('');
  });
});

describe('commitAndPush', () => {
  let root: string;
  let origin: Awaited<ReturnType<typeof createOrigin>>;
  let workspace: Workspace;

  beforeEach(async () => {
    root = await tempDir('push');
    origin = await createOrigin(root);
    const runtime = new LocalWorktreeRuntime({ dataDir: join(root, 'data') });
    const result = await runtime.provision({
      taskId: 't1',
      runId: 'r1',
      repo: { id: 'r', url: origin.origin, defaultBranch: 'main', setupCommands: [] },
      branch: 'cohort/t1',
    });
    if (!result.ok) throw new Error(result.error.message);
    workspace = result.value;
  });
  afterEach(async () => removeDir(root));

  it('reports no changes and commits nothing when the agent changed nothing', async () => {
    const result = await commitAndPush(workspace.path, { message: 'nothing', branch: 'cohort/t1', author });
    expect(result.ok && result.value).toMatchObject({ hasChanges: false, committed: false, headSha: workspace.baseSha });
  });

  it('commits new and deleted files as the given author and pushes them to origin', async () => {
    await writeFile(join(workspace.path, 'added.txt'), 'a\n');
    await rm(join(workspace.path, 'README.md'));
    const result = await commitAndPush(workspace.path, { message: 'Add a, drop readme', branch: 'cohort/t1', author });
    if (!result.ok) throw new Error(result.error.message);
    expect(result.value).toMatchObject({ hasChanges: true, committed: true, pushed: true });
    expect(await gitIn(origin.origin, 'rev-parse', 'refs/heads/cohort/t1')).toBe(result.value.headSha);
    expect(await gitIn(origin.origin, 'log', '-1', '--format=%an <%ae>|%s', 'cohort/t1')).toBe(
      'Cohort Agent <agent@cohort.test>|Add a, drop readme',
    );
    expect(await gitIn(origin.origin, 'ls-tree', '--name-only', 'cohort/t1')).toBe('added.txt');

    const again = await commitAndPush(workspace.path, { message: 'again', branch: 'cohort/t1', author });
    expect(again.ok && again.value).toMatchObject({ hasChanges: true, committed: false, pushed: false });
  });

  it('counts commits the agent made itself as changes', async () => {
    await writeFile(join(workspace.path, 'self.txt'), 's\n');
    await gitIn(workspace.path, 'add', 'self.txt');
    await gitIn(workspace.path, 'commit', '--quiet', '-m', 'agent commit');
    const result = await commitAndPush(workspace.path, { message: 'unused', branch: 'cohort/t1', author });
    expect(result.ok && result.value).toMatchObject({ hasChanges: true, committed: false, pushed: true });
  });

  it('refuses to commit while a merge with conflicts is unfinished', async () => {
    const cwd = workspace.path;
    await gitIn(cwd, 'checkout', '--quiet', '-b', 'side');
    await writeFile(join(cwd, 'README.md'), 'side\n');
    await gitIn(cwd, 'commit', '--quiet', '--all', '-m', 'side');
    await gitIn(cwd, 'checkout', '--quiet', 'cohort/t1');
    await writeFile(join(cwd, 'README.md'), 'mine\n');
    await gitIn(cwd, 'commit', '--quiet', '--all', '-m', 'mine');
    await expect(gitIn(cwd, 'merge', 'side')).rejects.toThrow();

    const result = await commitAndPush(cwd, { message: 'would record markers', branch: 'cohort/t1', author });
    expect(!result.ok && result.error).toMatchObject({ category: 'unfinished_operation' });
    expect(await gitIn(cwd, 'log', '-1', '--format=%s')).toBe('mine');
  });

  it('force-pushes a rebased branch but refuses to overwrite a push it has not seen', async () => {
    await writeFile(join(workspace.path, 'one.txt'), '1\n');
    const first = await commitAndPush(workspace.path, { message: 'one', branch: 'cohort/t1', author });
    expect(first.ok).toBe(true);
    // Rewrite history locally (as a rebase would) and push again: accepted.
    await writeFile(join(workspace.path, 'one.txt'), '1 amended\n');
    await gitIn(workspace.path, 'commit', '--quiet', '--all', '--amend', '-m', 'one amended');
    const rebased = await commitAndPush(workspace.path, { message: 'x', branch: 'cohort/t1', author });
    expect(rebased.ok && rebased.value.pushed).toBe(true);

    // Someone else pushes to the branch; our next push must not discard their commit.
    const theirs = await origin.commit('cohort/t1', { 'theirs.txt': 't\n' }, 'their commit');
    await writeFile(join(workspace.path, 'two.txt'), '2\n');
    const rejected = await commitAndPush(workspace.path, { message: 'two', branch: 'cohort/t1', author });
    expect(!rejected.ok && rejected.error.category).toBe('push_rejected');
    expect(await gitIn(origin.origin, 'rev-parse', 'refs/heads/cohort/t1')).toBe(theirs);
  });
});
