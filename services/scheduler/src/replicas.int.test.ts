import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { CheckStatus, RunOutcome, TaskKind, type Envelope } from '@cohort/contracts';
import { WrongExpectedVersion } from '@cohort/eventstore';
import { waitFor } from '@cohort/testing';
import {
  configFor,
  createTask,
  event,
  historyOf,
  ofType,
  schedulerTestContext,
  stateOf,
  type SchedulerTestContext,
} from '../test/scheduler-fixtures.js';
import { startScheduler } from './start-scheduler.js';

const cleanups: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function context(label: string): Promise<SchedulerTestContext> {
  const ctx = await schedulerTestContext(label);
  cleanups.push(() => ctx.dispose());
  return ctx;
}

/** Everything the scheduler must have appended at most once per task, by what makes it unique. */
function duplicatesIn(history: readonly Envelope[]): string[] {
  const keys = [
    ...ofType(history, 'RunScheduled').map((e) => `RunScheduled attempt ${e.data.attempt}`),
    ...ofType(history, 'RunScheduled').map((e) => `RunScheduled ${e.data.runId}`),
    ...ofType(history, 'PullRequestRequested').map((e) => `PullRequestRequested ${e.data.headSha}`),
    ...ofType(history, 'MergeRequested').map(() => 'MergeRequested'),
    ...ofType(history, 'RunTimedOut').map((e) => `RunTimedOut ${e.data.runId}`),
    ...ofType(history, 'TaskCompleted').map(() => 'TaskCompleted'),
  ];
  return keys.filter((key, i) => keys.indexOf(key) !== i);
}

/**
 * Plays pod-manager, agent-runtime and pr-watcher for one repo task, one step
 * per call: the first run of every other task fails so that retries race too.
 * Returns true once the task is completed.
 */
async function drive(ctx: SchedulerTestContext, taskId: string, failFirst: boolean): Promise<boolean> {
  const state = await stateOf(ctx, taskId);
  if (state === undefined) return false;
  if (state.status === 'completed') return true;
  const run = state.runs.find((r) => r.id === state.currentRunId);
  const head = `sha-${taskId}`;
  const events = [];
  if (run?.status === 'scheduled') {
    const fail = failFirst && run.attempt === 1;
    events.push(
      event('WorkspaceReady', { runId: run.id, workspaceId: `ws-${run.id}` }),
      event('RunStarted', { runId: run.id, workspaceId: `ws-${run.id}` }),
      event('RunFinished', {
        runId: run.id,
        outcome: fail ? RunOutcome.FAILED : RunOutcome.SUCCEEDED,
        headSha: fail ? '' : head,
        hasChanges: !fail,
        summary: 'done',
        ...(fail ? { error: { message: 'agent exited with code 1', retryable: true } } : {}),
      }),
    );
  } else if (state.pullRequestRequestedForHead !== undefined && state.pr === undefined) {
    events.push(
      event('PullRequestOpened', { number: 1, headSha: head, branch: `cohort/${taskId}`, baseBranch: 'main', url: `local://${taskId}/1` }),
      event('ChecksReported', {
        number: 1,
        headSha: head,
        status: CheckStatus.PASSING,
        checks: [{ name: 'ci', status: CheckStatus.PASSING }],
      }),
    );
  } else if (state.pr?.mergeRequestedForHead !== undefined) {
    events.push(event('PullRequestMerged', { number: 1, mergeSha: `merge-${taskId}` }));
  }
  if (events.length === 0) return false;
  try {
    await ctx.store.append({ type: 'task', id: taskId }, events, { expectedVersion: state.version });
  } catch (error) {
    if (!(error instanceof WrongExpectedVersion)) throw error;
  }
  return false;
}

function repoTask(ctx: SchedulerTestContext, taskId: string, priority = 0) {
  return createTask(ctx, taskId, {
    kind: TaskKind.REPO,
    repoId: 'demo',
    baseBranch: 'main',
    priority,
    policy: { autoMerge: true },
  });
}

describe('scheduler replicas', () => {
  it('two replicas on one namespace never schedule a run twice nor request a merge twice', async () => {
    const ctx = await context('replicas');
    // Fast resyncs on both replicas make them reconcile the same tasks at the same moments.
    const config = configFor(ctx, { resyncMs: 50, policy: { backoffBaseMs: 0 } });
    for (let i = 0; i < 2; i++) {
      const replica = await startScheduler(config, { logger: false });
      cleanups.push(() => replica.close());
    }
    const ids = Array.from({ length: 30 }, (_, i) => `task${i}`);
    await Promise.all(ids.map((id, i) => repoTask(ctx, id, i % 3)));

    const done = new Set<string>();
    await waitFor(
      'every task merged and completed',
      async () => {
        await Promise.all(
          ids
            .filter((id) => !done.has(id))
            .map(async (id, i) => {
              if (await drive(ctx, id, i % 2 === 0)) done.add(id);
            }),
        );
        return done.size === ids.length ? true : undefined;
      },
      45_000,
      50,
    );

    for (const id of ids) {
      const history = await historyOf(ctx, id);
      expect(duplicatesIn(history), id).toEqual([]);
      expect(ofType(history, 'MergeRequested'), id).toHaveLength(1);
      expect(ofType(history, 'TaskCompleted'), id).toHaveLength(1);
      expect(new Set(history.map((e) => e.id)).size, id).toBe(history.length);
    }
  });

  it('a scheduler killed with SIGKILL mid-loop and started again schedules every task exactly once', async () => {
    const ctx = await context('kill');
    const child = spawnScheduler(ctx);
    cleanups.push(async () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    });
    const ids = Array.from({ length: 40 }, (_, i) => `k${i}`);
    const creating = Promise.all(ids.map((id) => createTask(ctx, id)));
    await waitFor(
      'the first runs scheduled by the child process',
      async () => {
        const counts = await Promise.all(ids.slice(0, 10).map(async (id) => ofType(await historyOf(ctx, id), 'RunScheduled').length));
        return counts.some((n) => n > 0) ? true : undefined;
      },
      30_000,
    );
    child.kill('SIGKILL');
    await new Promise((resolve) => child.once('exit', resolve));
    await creating;

    const restarted = await startScheduler(configFor(ctx, { resyncMs: 100 }), { logger: false });
    cleanups.push(() => restarted.close());
    await waitFor(
      'every task scheduled after the restart',
      async () => {
        const counts = await Promise.all(ids.map(async (id) => ofType(await historyOf(ctx, id), 'RunScheduled').length));
        return counts.every((n) => n > 0) ? true : undefined;
      },
      30_000,
    );
    for (const id of ids) {
      const history = await historyOf(ctx, id);
      expect(ofType(history, 'RunScheduled'), id).toHaveLength(1);
      expect(duplicatesIn(history), id).toEqual([]);
    }
  });

  it('stops cleanly on SIGTERM, and a bad setting stops the start with the variable named', async () => {
    const ctx = await context('sigterm');
    const child = spawnScheduler(ctx);
    cleanups.push(async () => child.exitCode === null && child.signalCode === null && child.kill('SIGKILL'));
    await createTask(ctx, 'term');
    await waitFor(
      'the child scheduling',
      async () => (ofType(await historyOf(ctx, 'term'), 'RunScheduled').length > 0 ? true : undefined),
      30_000,
    );
    child.kill('SIGTERM');
    const code = await exitCode(child);
    expect(code).toBe(0);

    let output = '';
    const bad = spawnScheduler(ctx, { SCHEDULER_MAX_CONCURRENT_RUNS: 'many' });
    bad.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const badCode = await exitCode(bad);
    expect(badCode).toBe(1);
    // The message is inside a JSON log line, hence the escaped quotes.
    expect(output).toContain('SCHEDULER_MAX_CONCURRENT_RUNS=\\"many\\" is not a whole number');
  });
});

function spawnScheduler(ctx: SchedulerTestContext, env: Record<string, string> = {}): ChildProcess {
  const main = fileURLToPath(new URL('./main.ts', import.meta.url));
  const root = fileURLToPath(new URL('../../..', import.meta.url));
  const child = spawn(process.execPath, ['--conditions=cohort-source', '--import', 'tsx', main], {
    cwd: root,
    env: {
      ...process.env,
      NATS_URL: ctx.url,
      COHORT_NAMESPACE: ctx.topology.namespace,
      SCHEDULER_RESYNC_MS: '100',
      SCHEDULER_MAX_CONCURRENT_RUNS: '1000',
      // Events the killed process held come back to the next one after this.
      SCHEDULER_ACK_WAIT_MS: '2000',
      ...env,
    },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  child.stderr?.on('data', () => undefined);
  return child;
}

function exitCode(child: ChildProcess): Promise<number | null> {
  return new Promise((resolve) => child.once('exit', (code) => resolve(code)));
}
