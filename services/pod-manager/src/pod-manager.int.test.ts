import { existsSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import {
  create,
  ErrorCategory,
  ResumeReason,
  RunFinishedSchema,
  RunKind,
  RunOutcome,
  TaskCancelledSchema,
  TaskCompletedSchema,
  TaskKind,
} from '@cohort/contracts';
import { gitSync, waitFor } from '@cohort/testing';
import { podScenario, runScheduled, taskCreated, type PodScenario } from '../test/harness.js';

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function setup(label: string, config = {}): Promise<PodScenario> {
  const s = await podScenario(label, config);
  cleanups.push(() => s.dispose());
  return s;
}

const runFinished = (runId: string) => ({
  id: randomUUID(),
  type: 'RunFinished' as const,
  data: create(RunFinishedSchema, { runId, outcome: RunOutcome.SUCCEEDED, exitCode: 0 }),
});

describe('pod-manager', () => {
  it('provisions a worktree on cohort/<taskId> from the base, runs the setup commands and appends WorkspaceReady', async () => {
    const s = await setup('ready');
    await s.registerRepo({ setupCommands: ['echo prepared > .setup-done'] });
    const { taskId, runId } = s.newTask();
    await s.append(taskId, taskCreated(taskId, s.repoId), runScheduled(taskId, runId));

    const ready = await s.waitForEvent(taskId, 'WorkspaceReady');
    expect(ready.data).toMatchObject({ runId, branch: `cohort/${taskId}`, runtime: 'local', baseSha: s.mainSha });
    expect(ready.data.workspaceId).toBe(`${taskId}.${runId}`);
    expect(ready.data.path.startsWith(s.dataDir)).toBe(true);
    expect(gitSync(ready.data.path, 'rev-parse', '--abbrev-ref', 'HEAD')).toBe(`cohort/${taskId}`);
    expect(gitSync(ready.data.path, 'rev-parse', 'HEAD')).toBe(s.mainSha);
    expect(readFileSync(join(ready.data.path, '.setup-done'), 'utf8').trim()).toBe('prepared');
  });

  it('appends WorkspaceFailed naming the setup command and its output when it fails, and leaves no worktree', async () => {
    const s = await setup('setupfail');
    await s.registerRepo({ setupCommands: ['echo installing', 'echo "npm ERR! missing script" >&2; exit 3'] });
    const { taskId, runId } = s.newTask();
    await s.append(taskId, taskCreated(taskId, s.repoId), runScheduled(taskId, runId));

    const failed = await s.waitForEvent(taskId, 'WorkspaceFailed');
    expect(failed.data.runId).toBe(runId);
    expect(failed.data.error).toMatchObject({ category: ErrorCategory.STATE, retryable: false, title: 'Setup command failed' });
    expect(failed.data.error!.message).toContain('echo "npm ERR! missing script" >&2; exit 3');
    expect(failed.data.error!.message).toContain('exit 3');
    expect(failed.data.error!.message).toContain('npm ERR! missing script');
    expect(failed.data.error!.remedy).not.toBe('');
    expect(existsSync(join(s.dataDir, 'worktrees', `${taskId}.${runId}`))).toBe(false);
    expect((await s.events(taskId)).some((e) => e.type === 'WorkspaceReady')).toBe(false);
  });

  it('fails the run with a clear error when the repository is not registered', async () => {
    const s = await setup('norepo');
    const { taskId, runId } = s.newTask();
    await s.append(taskId, taskCreated(taskId, 'nowhere'), runScheduled(taskId, runId));
    const failed = await s.waitForEvent(taskId, 'WorkspaceFailed');
    expect(failed.data.error!.message).toContain('repo "nowhere"');
    expect(failed.data.error!.message).toContain('not registered');
  });

  it('releases the workspace after RunFinished and records WorkspaceReleased once', async () => {
    const s = await setup('release');
    await s.registerRepo();
    const { taskId, runId } = s.newTask();
    await s.append(taskId, taskCreated(taskId, s.repoId), runScheduled(taskId, runId));
    const ready = await s.waitForEvent(taskId, 'WorkspaceReady');
    expect(existsSync(ready.data.path)).toBe(true);

    await s.append(taskId, runFinished(runId), runFinished(runId));
    const released = await s.waitForEvent(taskId, 'WorkspaceReleased');
    expect(released.data).toMatchObject({ runId, workspaceId: ready.data.workspaceId });
    expect(existsSync(ready.data.path)).toBe(false);
    await new Promise((r) => setTimeout(r, 500));
    expect((await s.events(taskId)).filter((e) => e.type === 'WorkspaceReleased')).toHaveLength(1);
  });

  it('provisions once when RunScheduled is delivered twice', async () => {
    const s = await setup('twice');
    await s.registerRepo();
    const { taskId, runId } = s.newTask();
    const scheduled = runScheduled(taskId, runId);
    await s.append(taskId, taskCreated(taskId, s.repoId), scheduled, { ...scheduled, id: randomUUID() });
    await s.waitForEvent(taskId, 'WorkspaceReady');
    await new Promise((r) => setTimeout(r, 800));
    expect((await s.events(taskId)).filter((e) => e.type === 'WorkspaceReady')).toHaveLength(1);
  });

  it('waits until notBefore before provisioning a retry', async () => {
    const s = await setup('notbefore');
    await s.registerRepo();
    const { taskId, runId } = s.newTask();
    const notBefore = new Date(Date.now() + 1500);
    await s.append(taskId, taskCreated(taskId, s.repoId), runScheduled(taskId, runId, { notBefore: notBefore.toISOString() }));
    const ready = await s.waitForEvent(taskId, 'WorkspaceReady');
    expect(Date.parse(ready.occurredAt)).toBeGreaterThanOrEqual(notBefore.getTime());
  });

  it('skips a run whose task was cancelled before its workspace was provisioned', async () => {
    const s = await setup('cancelled');
    await s.registerRepo();
    const { taskId, runId } = s.newTask();
    await s.append(
      taskId,
      taskCreated(taskId, s.repoId),
      runScheduled(taskId, runId, { notBefore: new Date(Date.now() + 700).toISOString() }),
      { id: randomUUID(), type: 'TaskCancelled', data: create(TaskCancelledSchema, { reason: 'no longer needed' }) },
    );
    await new Promise((r) => setTimeout(r, 1500));
    const types = (await s.events(taskId)).map((e) => e.type);
    expect(types).not.toContain('WorkspaceReady');
    expect(existsSync(join(s.dataDir, 'worktrees', `${taskId}.${runId}`))).toBe(false);
  });

  it('gives a standalone task a plain scratch directory and removes it after the run', async () => {
    const s = await setup('standalone');
    const { taskId, runId } = s.newTask();
    await s.append(taskId, taskCreated(taskId, '', TaskKind.STANDALONE), runScheduled(taskId, runId, { branch: '' }));
    const ready = await s.waitForEvent(taskId, 'WorkspaceReady');
    expect(ready.data).toMatchObject({ runId, branch: '', runtime: 'local' });
    expect(existsSync(ready.data.path)).toBe(true);
    expect(existsSync(join(ready.data.path, '.git'))).toBe(false);
    await s.append(taskId, runFinished(runId));
    await s.waitForEvent(taskId, 'WorkspaceReleased');
    expect(existsSync(ready.data.path)).toBe(false);
  });

  it('cleans up worktrees of tasks that ended without a RunFinished, keeping those of live runs', async () => {
    const s = await setup('cleanup', { idleMirrorMs: 3_600_000 });
    await s.registerRepo();
    const done = s.newTask();
    const live = s.newTask();
    await s.append(done.taskId, taskCreated(done.taskId, s.repoId), runScheduled(done.taskId, done.runId));
    await s.append(live.taskId, taskCreated(live.taskId, s.repoId), runScheduled(live.taskId, live.runId));
    const doneReady = await s.waitForEvent(done.taskId, 'WorkspaceReady');
    const liveReady = await s.waitForEvent(live.taskId, 'WorkspaceReady');
    await s.append(done.taskId, { id: randomUUID(), type: 'TaskCompleted', data: create(TaskCompletedSchema, {}) });

    const report = await s.service.cleanup();
    expect(report.released).toEqual([doneReady.data.workspaceId]);
    expect(existsSync(doneReady.data.path)).toBe(false);
    expect(existsSync(liveReady.data.path)).toBe(true);
  });

  it('reports a workspace whose directory vanished as missing, and the others as healthy', async () => {
    const s = await setup('health');
    await s.registerRepo();
    const gone = s.newTask();
    const kept = s.newTask();
    await s.append(gone.taskId, taskCreated(gone.taskId, s.repoId), runScheduled(gone.taskId, gone.runId));
    await s.append(kept.taskId, taskCreated(kept.taskId, s.repoId), runScheduled(kept.taskId, kept.runId));
    const goneReady = await s.waitForEvent(gone.taskId, 'WorkspaceReady');
    await s.waitForEvent(kept.taskId, 'WorkspaceReady');
    rmSync(goneReady.data.path, { recursive: true, force: true });

    const health = await s.service.checkHealth();
    expect(health.healthy).toBe(1);
    expect(health.unhealthy).toEqual([
      { workspaceId: goneReady.data.workspaceId, health: { status: 'missing', reason: expect.any(String) } },
    ]);
  });

  it('deletes a mirror nobody used for longer than idleMirrorMs once its workspaces are gone', async () => {
    const s = await setup('idlemirror', { idleMirrorMs: 0 });
    await s.registerRepo();
    const { taskId, runId } = s.newTask();
    await s.append(taskId, taskCreated(taskId, s.repoId), runScheduled(taskId, runId));
    await s.waitForEvent(taskId, 'WorkspaceReady');
    expect((await s.service.cleanup()).removedMirrors).toEqual([]);

    await s.append(taskId, runFinished(runId));
    await s.waitForEvent(taskId, 'WorkspaceReleased');
    expect((await s.service.cleanup()).removedMirrors).toEqual([s.repoId]);
    expect(readdirSync(join(s.dataDir, 'mirrors')).filter((name) => name.endsWith('.git'))).toEqual([]);
  });

  it('fails the run as retryable when the data directory is broken on the last delivery, instead of dead-lettering it silently', async () => {
    const s = await setup('broken', { maxDeliveries: 1 });
    await s.registerRepo();
    // Replaced by a plain file: nothing can be created under it.
    rmSync(s.dataDir, { recursive: true, force: true });
    writeFileSync(s.dataDir, 'not a directory');
    const { taskId, runId } = s.newTask();
    await s.append(taskId, taskCreated(taskId, s.repoId), runScheduled(taskId, runId));
    const failed = await s.waitForEvent(taskId, 'WorkspaceFailed');
    expect(failed.data.error).toMatchObject({
      category: ErrorCategory.RESOURCE,
      retryable: true,
      title: 'Workspace could not be provisioned',
    });
  });

  it('provisions a resume run from the commits earlier runs pushed to the task branch', async () => {
    const s = await setup('resume');
    await s.registerRepo();
    const { taskId, runId } = s.newTask();
    await s.append(taskId, taskCreated(taskId, s.repoId), runScheduled(taskId, runId));
    const first = await s.waitForEvent(taskId, 'WorkspaceReady');
    writeFileSync(join(first.data.path, 'sum.js'), 'export const sum = (a, b) => a + b;\n');
    gitSync(first.data.path, 'add', '.');
    gitSync(first.data.path, 'commit', '--quiet', '-m', 'first attempt');
    gitSync(first.data.path, 'push', '--quiet', 'origin', `cohort/${taskId}`);
    const pushed = gitSync(first.data.path, 'rev-parse', 'HEAD');
    await s.append(taskId, runFinished(runId));
    await s.waitForEvent(taskId, 'WorkspaceReleased');

    const resumeId = `${taskId}-r2`;
    await s.append(taskId, runScheduled(taskId, resumeId, { attempt: 2, kind: RunKind.RESUME, resumeReason: ResumeReason.CI_FAILURE }));
    const second = await waitFor('WorkspaceReady of the resume run', async () =>
      (await s.events(taskId)).find((e) => e.type === 'WorkspaceReady' && e.data.runId === resumeId),
    );
    if (second.type !== 'WorkspaceReady') throw new Error('unreachable');
    expect(second.data.baseSha).toBe(s.mainSha);
    expect(gitSync(second.data.path, 'rev-parse', 'HEAD')).toBe(pushed);
    expect(gitSync(second.data.path, 'rev-parse', '--abbrev-ref', 'HEAD')).toBe(`cohort/${taskId}`);
  });
});
