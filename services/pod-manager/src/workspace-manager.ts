import { mkdir, readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { Inject, Injectable, Logger } from '@nestjs/common';
import {
  create,
  ErrorCategory,
  ErrorInfoSchema,
  TaskKind,
  WorkspaceFailedSchema,
  WorkspaceReadySchema,
  WorkspaceReleasedSchema,
  type Envelope,
  type ErrorInfo,
  type NewEvent,
} from '@cohort/contracts';
import { findRun, repoSettingsOf } from '@cohort/domain';
import { eventIdFor, WrongExpectedVersion, type EventStore } from '@cohort/eventstore';
import { currentMessageContext, eventTrace } from '@cohort/messaging';
import { redactCredentials, type Workspace, type WorkspaceHealth, type WorkspaceRuntime } from '@cohort/runtime';
import type { PodManagerConfig } from './config.js';
import { keepsWorkspaces, planProvision, stillWaiting, taskStateOf, type ProvisionDecision, type ProvisionPlan } from './provision-plan.js';
import { POD_MANAGER_CONFIG, EVENT_STORE, WORKSPACE_RUNTIME } from './tokens.js';
import { stateError, workspaceErrorInfo } from './workspace-error.js';

/** Appends are retried this often when another writer appended to the task in between. */
const APPEND_ATTEMPTS = 5;

export interface HealthSummary {
  readonly checkedAt: string;
  readonly healthy: number;
  readonly unhealthy: ReadonlyArray<{ readonly workspaceId: string; readonly health: WorkspaceHealth }>;
}

/**
 * Workspaces of runs: provisions one when a run is scheduled, releases it when
 * the run ends, and sweeps what a missed message or a crash left behind.
 * Repo tasks get a git worktree from the runtime; standalone tasks a plain
 * scratch directory under the data directory.
 */
@Injectable()
export class WorkspaceManager {
  private readonly log = new Logger('WorkspaceManager');
  private readonly scratchDir: string;
  private lastHealth: HealthSummary | undefined;

  constructor(
    @Inject(POD_MANAGER_CONFIG) private readonly config: PodManagerConfig,
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(WORKSPACE_RUNTIME) private readonly runtime: WorkspaceRuntime,
  ) {
    this.scratchDir = join(config.dataDir, 'scratch');
  }

  get health(): HealthSummary | undefined {
    return this.lastHealth;
  }

  async onRunScheduled(taskId: string, runId: string): Promise<void> {
    const first = planProvision(await this.readTask(taskId), runId);
    if (!first.provision) return this.skip(runId, first.reason);
    const wait = first.plan.notBefore - Date.now();
    let decision: ProvisionDecision = first;
    if (wait > 0) {
      // Held rather than acked: a crash while waiting redelivers the message, so the retry is never lost.
      await sleep(Math.min(wait, this.config.maxHoldMs));
      if (first.plan.notBefore > Date.now())
        throw new Error(`run ${runId} is not to start before ${new Date(first.plan.notBefore).toISOString()}`);
      // Re-decided after the wait: the task may have been cancelled or the run superseded meanwhile.
      decision = planProvision(await this.readTask(taskId), runId);
    }
    if (!decision.provision) return this.skip(runId, decision.reason);
    const { plan } = decision;
    try {
      if (plan.taskKind === TaskKind.STANDALONE) return await this.provisionScratch(plan);
      return await this.provisionWorktree(plan);
    } catch (error) {
      // Broken infrastructure (disk, git, NATS) is retried by redelivery; on the last delivery the run is
      // failed as retryable instead of leaving it waiting for a workspace behind a dead letter.
      if ((currentMessageContext()?.deliveryCount ?? 0) < this.config.maxDeliveries) throw error;
      this.log.error(`workspace for run ${runId} failed on the last delivery: ${(error as Error).message}`);
      return this.fail(
        plan,
        create(ErrorInfoSchema, {
          category: ErrorCategory.RESOURCE,
          retryable: true,
          title: 'Workspace could not be provisioned',
          message: redactCredentials((error as Error).message),
          remedy: 'Check the pod-manager logs and its data directory (disk space, git); the run is retried.',
        }),
      );
    }
  }

  /** After RunFinished or RunTimedOut: the run's workspace is not needed any more (pushed work is on origin). */
  async onRunEnded(taskId: string, runId: string): Promise<void> {
    const events = await this.readTask(taskId);
    const state = taskStateOf(events);
    const run = state && findRun(state, runId);
    if (!run) return this.skip(runId, 'the run is unknown');
    const workspaceId = run.workspaceId || workspaceIdOf(taskId, runId);
    const released = state.kind === TaskKind.STANDALONE ? await this.removeScratch(workspaceId) : await this.runtime.release(workspaceId);
    if (!released && !events.some((e) => e.type === 'WorkspaceReady' && e.data.runId === runId)) return;
    await this.append(taskId, () => [
      {
        id: eventIdFor(`${runId}:workspace-released`),
        type: 'WorkspaceReleased',
        data: create(WorkspaceReleasedSchema, { runId, workspaceId }),
        ...eventTrace(),
      },
    ]);
    if (released) this.log.log(`released workspace ${workspaceId}`);
  }

  /**
   * Releases workspaces whose run has ended or whose task is over, scratch
   * directories likewise, idle mirrors and directories left by a crash.
   */
  async cleanup(now = new Date()): Promise<{ released: readonly string[]; removedMirrors: readonly string[] }> {
    const workspaces = await this.runtime.list();
    const scratch = await this.scratchIds();
    const taskIds = new Set([...workspaces.map((w) => w.taskId), ...scratch.map((id) => id.split('.')[0]!)]);
    const active = new Set<string>();
    const endedRuns = new Set<string>();
    for (const taskId of taskIds) {
      const state = taskStateOf(await this.readTask(taskId));
      if (!keepsWorkspaces(state)) continue;
      active.add(taskId);
      for (const run of state!.runs) if (run.status === 'finished') endedRuns.add(run.id);
    }
    const released: string[] = [];
    // Superseded runs of an active task: the cleanup only knows tasks, so these go one by one.
    for (const workspace of workspaces) {
      if (active.has(workspace.taskId) && endedRuns.has(workspace.runId) && (await this.runtime.release(workspace.workspaceId))) {
        released.push(workspace.workspaceId);
      }
    }
    const report = await this.runtime.cleanup({ activeTaskIds: active, idleMirrorMs: this.config.idleMirrorMs, now });
    released.push(...report.releasedWorkspaceIds);
    for (const id of scratch) {
      const [taskId, runId] = id.split('.') as [string, string];
      if (!active.has(taskId) || endedRuns.has(runId)) {
        await this.removeScratch(id);
        released.push(id);
      }
    }
    if (released.length > 0 || report.removedMirrorRepoIds.length > 0 || report.removedOrphanPaths.length > 0) {
      this.log.log(
        `cleanup: released ${released.length} workspace(s), removed ${report.removedMirrorRepoIds.length} idle mirror(s) and ${report.removedOrphanPaths.length} orphaned director(ies)`,
      );
    }
    return { released, removedMirrors: report.removedMirrorRepoIds };
  }

  /** Checks every live worktree; the result is served on /readyz and unhealthy ones are logged. */
  async checkHealth(): Promise<HealthSummary> {
    const unhealthy: Array<{ workspaceId: string; health: WorkspaceHealth }> = [];
    let healthy = 0;
    for (const workspace of await this.runtime.list()) {
      const health = await this.runtime.health(workspace.workspaceId);
      if (health.status === 'healthy') healthy++;
      else {
        unhealthy.push({ workspaceId: workspace.workspaceId, health });
        this.log.warn(`workspace ${workspace.workspaceId} is ${health.status}: ${health.reason}`);
      }
    }
    this.lastHealth = { checkedAt: new Date().toISOString(), healthy, unhealthy };
    return this.lastHealth;
  }

  private async provisionWorktree(plan: ProvisionPlan): Promise<void> {
    const settings = plan.repoId ? repoSettingsOf((await this.store.read({ type: 'repo', id: plan.repoId })).events) : undefined;
    if (!settings) {
      return this.fail(
        plan,
        stateError(
          'Repository not registered',
          `repo ${JSON.stringify(plan.repoId)} of task ${plan.taskId} is not registered`,
          'Register it with RegisterRepo (cohort repo add), then retry the task.',
        ),
      );
    }
    const result = await this.runtime.provision({
      taskId: plan.taskId,
      runId: plan.runId,
      repo: {
        id: plan.repoId,
        url: settings.url,
        defaultBranch: settings.defaultBranch || 'main',
        setupCommands: settings.setupCommands,
      },
      branch: plan.branch,
      ...(plan.baseBranch ? { baseBranch: plan.baseBranch } : {}),
    });
    if (!result.ok) {
      this.log.warn(`workspace for run ${plan.runId} failed (${result.error.category}): ${result.error.message}`);
      return this.fail(plan, workspaceErrorInfo(result.error));
    }
    const workspace = result.value;
    const recorded = await this.ready(plan, workspace);
    if (!recorded) await this.runtime.release(workspace.workspaceId);
  }

  private async provisionScratch(plan: ProvisionPlan): Promise<void> {
    const workspaceId = workspaceIdOf(plan.taskId, plan.runId);
    const path = join(this.scratchDir, workspaceId);
    await mkdir(path, { recursive: true });
    const recorded = await this.ready(plan, { workspaceId, path, branch: '', baseSha: '' });
    if (!recorded) await this.removeScratch(workspaceId);
  }

  /** Appends WorkspaceReady unless the run stopped waiting meanwhile; resolves to whether it did. */
  private async ready(plan: ProvisionPlan, workspace: Pick<Workspace, 'workspaceId' | 'path' | 'branch' | 'baseSha'>): Promise<boolean> {
    const appended = await this.append(plan.taskId, (events) =>
      stillWaiting(events, plan.runId)
        ? [
            {
              id: eventIdFor(`${plan.runId}:workspace-ready`),
              type: 'WorkspaceReady',
              data: create(WorkspaceReadySchema, {
                runId: plan.runId,
                workspaceId: workspace.workspaceId,
                path: workspace.path,
                branch: workspace.branch,
                runtime: 'local',
                baseSha: workspace.baseSha,
              }),
              ...eventTrace(),
            },
          ]
        : undefined,
    );
    if (appended) this.log.log(`workspace ${workspace.workspaceId} ready at ${workspace.path}`);
    else this.skip(plan.runId, 'the run stopped waiting while its workspace was provisioned');
    return appended;
  }

  private async fail(plan: ProvisionPlan, error: ErrorInfo): Promise<void> {
    await this.append(plan.taskId, (events) =>
      stillWaiting(events, plan.runId)
        ? [
            {
              id: eventIdFor(`${plan.runId}:workspace-failed`),
              type: 'WorkspaceFailed',
              data: create(WorkspaceFailedSchema, { runId: plan.runId, error }),
              ...eventTrace(),
            },
          ]
        : undefined,
    );
  }

  /**
   * Appends what `build` decides on the newest history, with the version it saw;
   * re-reads and re-decides when someone appended in between. Undefined: nothing to append.
   */
  private async append(taskId: string, build: (events: readonly Envelope[]) => NewEvent[] | undefined): Promise<boolean> {
    for (let attempt = 1; ; attempt++) {
      const { events, version } = await this.store.read({ type: 'task', id: taskId });
      const next = build(events);
      if (next === undefined || next.length === 0) return false;
      try {
        await this.store.append({ type: 'task', id: taskId }, next, { expectedVersion: version });
        return true;
      } catch (error) {
        if (error instanceof WrongExpectedVersion && attempt < APPEND_ATTEMPTS) continue;
        throw error;
      }
    }
  }

  private async readTask(taskId: string): Promise<readonly Envelope[]> {
    return (await this.store.read({ type: 'task', id: taskId })).events;
  }

  private skip(runId: string, reason: string): void {
    this.log.log(`run ${runId}: nothing to do (${reason})`);
  }

  private async scratchIds(): Promise<string[]> {
    try {
      return (await readdir(this.scratchDir)).filter((name) => name.includes('.'));
    } catch {
      return [];
    }
  }

  private async removeScratch(workspaceId: string): Promise<boolean> {
    const path = join(this.scratchDir, workspaceId);
    const existed = (await this.scratchIds()).includes(workspaceId);
    await rm(path, { recursive: true, force: true });
    return existed;
  }
}

/** The runtime's naming: `<taskId>.<runId>` (ids never contain a dot). */
export function workspaceIdOf(taskId: string, runId: string): string {
  return `${taskId}.${runId}`;
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
