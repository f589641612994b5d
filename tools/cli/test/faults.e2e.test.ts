import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CheckStatus } from '@cohort/contracts';
import { waitFor } from '@cohort/testing';
import { isProcessAlive } from '../src/stack/process-alive.js';
import { System } from './support/system.js';
import { count, greetingRepo } from './support/scenario-repos.js';

const passingChecks = (evs: readonly { type: string; data: unknown }[]) =>
  evs.some((e) => e.type === 'ChecksReported' && (e.data as { status: number }).status === CheckStatus.PASSING);

describe('the main loop under faults (cancel, kill -9 of agent-runtime and of the scheduler)', () => {
  let system: System;
  beforeAll(async () => {
    system = await System.start('faults', { SCHEDULER_STALL_THRESHOLD_MS: '4000', SCHEDULER_RETRY_BACKOFF_MS: '200' });
  }, 120_000);
  afterAll(() => system?.stop());

  async function registerRepo(name: string, playbook: string): Promise<string> {
    const origin = await system.createRepository(name, greetingRepo(playbook));
    const registered = await waitFor(
      'intake to register the repo',
      async () => {
        const result = await system.cli(['repo', 'add', origin, '--name', name, '--ci', 'sh ci.sh', '--auto-merge', '--json']);
        return result.code === 0
          ? JSON.parse(result.stdout)
          : result.stderr.includes('unavailable')
            ? undefined
            : JSON.parse(result.stdout || '{}');
      },
      90_000,
      500,
    );
    expect(registered.ok).toBe(true);
    return origin;
  }

  const createTask = async (repo: string, title: string) =>
    (await system.cliJson<{ aggregateId: string }>(['task', 'create', '--repo', repo, '--title', title, '--prompt', 'Greet Cohort']))
      .aggregateId;

  it('cancelling mid-run kills the whole agent process tree within 2 s and the task ends cancelled', async () => {
    await registerRepo('cancel', `initial:\n  - run: "sleep 300 & echo $! > grandchild.pid; echo $$ > child.pid; sleep 300"\n`);
    const taskId = await createTask('cancel', 'Run forever');
    const events = await system.waitForEvents(taskId, 'the agent running', (types) => types.includes('RunStarted'));
    const workspace = (events.find((e) => e.type === 'WorkspaceReady')!.data as { path: string }).path;
    const pids = await waitFor('the agent to write its pids', async () => {
      const read = async (f: string) => Number((await readFile(join(workspace, f), 'utf8')).trim());
      return [await read('child.pid'), await read('grandchild.pid')];
    });
    expect(pids.every(isProcessAlive)).toBe(true);
    expect((await system.cli(['task', 'cancel', taskId, '--reason', 'changed my mind'])).code).toBe(0);
    const cancelledAt = Date.now();
    await waitFor('every agent process to be gone', () => (pids.some(isProcessAlive) ? undefined : true), 5_000, 20);
    expect(Date.now() - cancelledAt).toBeLessThan(2_000);
    await system.waitForEvents(taskId, 'the run to finish cancelled', (types) => types.includes('RunFinished'));
    expect((await system.task(taskId))?.status).toBe('cancelled');
  });

  it('a kill -9 of agent-runtime mid-run times the run out by heartbeat, retries it, and the task completes', async () => {
    await registerRepo(
      'crash',
      `initial#1:\n  - print: working slowly\n  - sleep_ms: 120000\ninitial:\n  - write: { path: greeting.txt, content: "Hello, Cohort\\n" }\n`,
    );
    const taskId = await createTask('crash', 'Survive a crash');
    await system.waitForEvents(taskId, 'the first run started', (types) => types.includes('RunStarted'));
    await system.stack.get('agent-runtime').killHard();
    system.stack.restart('agent-runtime');
    const events = await system.waitForEvents(
      taskId,
      'a timed-out first run and passing checks of the retry',
      (types, evs) => types.includes('RunTimedOut') && passingChecks(evs),
      120_000,
    );
    expect(events.filter((e) => e.type === 'RunScheduled').map((e) => (e.data as { attempt: number }).attempt)).toEqual([1, 2]);
    expect((await system.cli(['review', 'approve', taskId])).code).toBe(0);
    await system.waitForEvents(taskId, 'completion', (types) => types.includes('TaskCompleted'));
  });

  it('a kill -9 of the scheduler mid-loop leaves no duplicate run, pull request or merge once it is back', async () => {
    const origin = await registerRepo(
      'sched',
      `initial:\n  - sleep_ms: 1500\n  - write: { path: greeting.txt, content: "Hello, Cohort\\n" }\n`,
    );
    const before = (await system.commitsOnMain(origin)).length;
    const ids = [await createTask('sched', 'First'), await createTask('sched', 'Second'), await createTask('sched', 'Third')];
    await system.waitForEvents(ids[0]!, 'the first run scheduled', (types) => types.includes('RunScheduled'));
    await system.stack.get('scheduler').killHard();
    await new Promise((resolve) => setTimeout(resolve, 2000));
    system.stack.restart('scheduler');
    for (const id of ids) {
      await system.waitForEvents(id, 'passing checks', (_t, evs) => passingChecks(evs), 120_000);
      expect((await system.cli(['review', 'approve', id])).code).toBe(0);
    }
    for (const id of ids) {
      const events = await system.waitForEvents(id, 'completion', (types) => types.includes('TaskCompleted'), 120_000);
      const types = events.map((e) => e.type);
      const runIds = events.filter((e) => e.type === 'RunScheduled').map((e) => (e.data as { runId: string }).runId);
      expect(new Set(runIds).size).toBe(runIds.length);
      expect(count(types, 'PullRequestOpened')).toBe(1);
      expect(count(types, 'MergeRequested')).toBe(1);
      expect(count(types, 'PullRequestMerged')).toBe(1);
    }
    expect((await system.commitsOnMain(origin)).length).toBe(before + 3);
  });
});
