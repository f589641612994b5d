import { afterEach, describe, expect, it } from 'vitest';
import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import { Kvm } from '@nats-io/kv';
import { randomUUID } from 'node:crypto';
import { create, ErrorCategory, Headers, RepoRegisteredSchema, RunOutcome, TaskKind } from '@cohort/contracts';
import { freePort, waitFor } from '@cohort/testing';
import {
  appendTo,
  configFor,
  createTask,
  event,
  historyOf,
  ofType,
  schedulerTestContext,
  sleep,
  startRun,
  stateOf,
  writeHeartbeat,
  type SchedulerTestContext,
} from '../test/scheduler-fixtures.js';
import { startScheduler } from './start-scheduler.js';

const cleanups: Array<() => Promise<unknown>> = [];
/** The scheduler's warnings in the running test, shown when a wait fails. */
const warnings: string[] = [];
afterEach(async () => {
  warnings.length = 0;
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function context(label: string): Promise<SchedulerTestContext> {
  const ctx = await schedulerTestContext(label);
  cleanups.push(() => ctx.dispose());
  return ctx;
}

async function scheduler(ctx: SchedulerTestContext, over: Parameters<typeof configFor>[1] = {}) {
  const running = await startScheduler(configFor(ctx, over), {
    ...(process.env.SCHEDULER_TEST_LOGS ? {} : { logger: false as const }),
    onWarning: (message) => warnings.push(message),
  });
  cleanups.push(() => running.close());
  return running;
}

async function scheduledRuns(ctx: SchedulerTestContext, taskId: string) {
  return ofType(await historyOf(ctx, taskId), 'RunScheduled');
}

async function waitForRun(ctx: SchedulerTestContext, taskId: string, attempt = 1, timeoutMs = 10_000) {
  try {
    return await waitFor(
      `RunScheduled attempt ${attempt} of ${taskId}`,
      async () => (await scheduledRuns(ctx, taskId)).find((e) => e.data.attempt === attempt),
      timeoutMs,
    );
  } catch (error) {
    // What the scheduler knew, to tell a missed event from a wrong decision.
    const kv = await new Kvm(ctx.nc).open(ctx.topology.buckets.activeTasks);
    const entries = [];
    for await (const key of await kv.keys()) entries.push((await kv.get(key))?.string());
    const history = (await historyOf(ctx, taskId)).map((e) => e.type);
    throw new Error(
      `${(error as Error).message}\nhistory: ${history.join(', ')}\nactive tasks: ${entries.join('\n')}\nwarnings: ${warnings.join('\n')}`,
      { cause: error },
    );
  }
}

/** A standalone run that succeeds: the task completes and its slot is free again. */
async function succeed(ctx: SchedulerTestContext, taskId: string, runId: string): Promise<void> {
  await startRun(ctx, taskId, runId);
  await appendTo(ctx, taskId, event('RunFinished', { runId, outcome: RunOutcome.SUCCEEDED, summary: 'done' }));
}

describe('scheduler', () => {
  it('reports ready on its health port while connected', async () => {
    const ctx = await context('health');
    const running = await scheduler(ctx, { healthPort: undefined });
    expect(running.healthPort).toBeUndefined();
    const served = await scheduler(ctx, { healthPort: await freePort() });
    const response = await fetch(`http://127.0.0.1:${served.healthPort}/readyz`);
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ status: 'ok', service: 'scheduler' });
  });

  it('schedules the first run of a task created by intake, carrying its correlation', async () => {
    const ctx = await context('created');
    await scheduler(ctx);
    await createTask(ctx, 't1');

    const run = await waitForRun(ctx, 't1');
    expect(run.data).toMatchObject({ runId: 't1-r1', attempt: 1, agent: 'scripted', notBefore: '' });
    expect(run.id).toBe('t1:schedule:t1-r1');
    const [created] = await historyOf(ctx, 't1');
    expect(run.correlationId).toBe(created!.correlationId);
    expect(run.causationId).toBe(created!.id);
  });

  it('schedules a task whose events arrived while it was down once it starts', async () => {
    const ctx = await context('down');
    await createTask(ctx, 'early');
    await sleep(200);
    expect(await scheduledRuns(ctx, 'early')).toHaveLength(0);

    await scheduler(ctx);
    await waitForRun(ctx, 'early');
  });

  it('keeps to the run slots, and gives a freed slot to the highest-priority waiting task', async () => {
    const ctx = await context('capacity');
    await scheduler(ctx, { maxConcurrentRuns: 2 });
    await createTask(ctx, 'a');
    await createTask(ctx, 'b');
    await waitForRun(ctx, 'a');
    await waitForRun(ctx, 'b');
    await createTask(ctx, 'low', { priority: 0 });
    await createTask(ctx, 'mid', { priority: 1 });
    await createTask(ctx, 'high', { priority: 5 });

    // Several resyncs pass; nothing more may start while both slots are taken.
    await sleep(1_000);
    for (const id of ['low', 'mid', 'high']) expect(await scheduledRuns(ctx, id)).toHaveLength(0);

    await succeed(ctx, 'a', 'a-r1');
    await waitForRun(ctx, 'high');
    await sleep(500);
    expect(await scheduledRuns(ctx, 'mid')).toHaveLength(0);
    expect(await scheduledRuns(ctx, 'low')).toHaveLength(0);

    await succeed(ctx, 'b', 'b-r1');
    await waitForRun(ctx, 'mid');
    await sleep(500);
    expect(await scheduledRuns(ctx, 'low')).toHaveLength(0);
    expect((await stateOf(ctx, 'a'))?.status).toBe('completed');
  });

  it("keeps to a repository's max concurrency from its RepoRegistered event", async () => {
    const ctx = await context('repo');
    await ctx.store.append(
      { type: 'repo', id: 'web' },
      [
        {
          type: 'RepoRegistered',
          id: randomUUID(),
          data: create(RepoRegisteredSchema, { repoId: 'web', settings: { name: 'web', url: '/srv/web', maxConcurrency: 1 } }),
        },
      ],
      { expectedVersion: 0 },
    );
    await scheduler(ctx, { maxConcurrentRuns: 10 });
    const repoTask = (repoId: string) => ({ kind: TaskKind.REPO, repoId, baseBranch: 'main' });
    await createTask(ctx, 'web1', repoTask('web'));
    await waitForRun(ctx, 'web1');
    await createTask(ctx, 'web2', repoTask('web'));
    await createTask(ctx, 'api1', repoTask('api'));
    await waitForRun(ctx, 'api1');
    await sleep(500);
    expect(await scheduledRuns(ctx, 'web2')).toHaveLength(0);

    await startRun(ctx, 'web1', 'web1-r1');
    await appendTo(
      ctx,
      'web1',
      event('RunFinished', { runId: 'web1-r1', outcome: RunOutcome.FAILED, error: { message: 'boom', retryable: false, category: 6 } }),
    );
    await waitForRun(ctx, 'web2');
  });

  it('starts a task as soon as the task it depends on completes', async () => {
    const ctx = await context('depends');
    // A resync this rare cannot be what starts the dependent task.
    await scheduler(ctx, { resyncMs: 60_000 });
    await createTask(ctx, 'first');
    await createTask(ctx, 'second', { dependsOn: ['first'] });
    await waitForRun(ctx, 'first');
    await sleep(300);
    expect(await scheduledRuns(ctx, 'second')).toHaveLength(0);

    await succeed(ctx, 'first', 'first-r1');
    await waitForRun(ctx, 'second', 1, 5_000);
    expect(ofType(await historyOf(ctx, 'second'), 'TaskDependenciesMet')).toHaveLength(1);
  });

  it('fails a waiting task as soon as a task it depends on is cancelled or fails, naming it', async () => {
    const ctx = await context('deaddeps');
    // A resync this rare cannot be what fails the dependents; no retries, so a failed run fails its task.
    await scheduler(ctx, { resyncMs: 60_000, policy: { maxRetries: 0 } });
    await createTask(ctx, 'dropped');
    await createTask(ctx, 'broken');
    await createTask(ctx, 'after-dropped', { dependsOn: ['dropped'] });
    await createTask(ctx, 'after-broken', { dependsOn: ['broken'] });
    await waitForRun(ctx, 'dropped');
    await waitForRun(ctx, 'broken');

    await appendTo(ctx, 'dropped', event('TaskCancelled', { reason: 'not needed', by: 'test' }));
    await startRun(ctx, 'broken', 'broken-r1');
    await appendTo(
      ctx,
      'broken',
      event('RunFinished', { runId: 'broken-r1', outcome: RunOutcome.FAILED, error: { message: 'boom', retryable: true, category: 6 } }),
    );

    const failedOf = (taskId: string) =>
      waitFor(`TaskFailed of ${taskId}`, async () => ofType(await historyOf(ctx, taskId), 'TaskFailed')[0], 5_000);
    expect((await failedOf('after-dropped')).data.reason).toBe(
      'dependency_cancelled: task dropped, which this task depends on, was cancelled, so this task cannot start',
    );
    const broken = await failedOf('after-broken');
    expect(broken.data.reason).toMatch(/^dependency_failed: task broken, which this task depends on, failed \(retries_exhausted: /);
    expect(broken.data.error).toMatchObject({ category: ErrorCategory.STATE, retryable: false });
    expect(await scheduledRuns(ctx, 'after-dropped')).toHaveLength(0);
    expect(await scheduledRuns(ctx, 'after-broken')).toHaveLength(0);
  });

  it('times out a run whose heartbeat went stale and schedules a retry after a backoff', async () => {
    const ctx = await context('stall');
    await scheduler(ctx, { resyncMs: 100, policy: { stallThresholdMs: 1_000, backoffBaseMs: 5_000 } });
    await createTask(ctx, 'stuck');
    await createTask(ctx, 'alive');
    await waitForRun(ctx, 'stuck');
    await waitForRun(ctx, 'alive');
    await startRun(ctx, 'stuck', 'stuck-r1');
    await startRun(ctx, 'alive', 'alive-r1');
    await writeHeartbeat(ctx, 'stuck', 'stuck-r1', new Date(Date.now() - 60_000));

    // The live run keeps beating and must be left alone.
    const beating = setInterval(() => void writeHeartbeat(ctx, 'alive', 'alive-r1', new Date()), 100);
    cleanups.push(async () => clearInterval(beating));

    const retry = await waitForRun(ctx, 'stuck', 2);
    const history = await historyOf(ctx, 'stuck');
    const [timedOut] = ofType(history, 'RunTimedOut');
    expect(timedOut!.data.runId).toBe('stuck-r1');
    expect(timedOut!.data.reason).toMatch(/no heartbeat/);
    const delay = Date.parse(retry.data.notBefore) - Date.parse(timedOut!.occurredAt);
    expect(delay).toBeGreaterThanOrEqual(4_900);
    expect(delay).toBeLessThanOrEqual(5_100);
    expect(retry.data.runId).toBe('stuck-r2');

    await sleep(1_500);
    expect(ofType(await historyOf(ctx, 'alive'), 'RunTimedOut')).toHaveLength(0);
  });

  it('times out a run that runs past the maximum run duration while its heartbeat keeps beating, and retries it', async () => {
    const ctx = await context('hung');
    await scheduler(ctx, { resyncMs: 100, policy: { maxRunDurationMs: 1_500, backoffBaseMs: 0 } });
    await createTask(ctx, 'hung');
    await waitForRun(ctx, 'hung');
    await startRun(ctx, 'hung', 'hung-r1');
    // A hung agent whose process lives: its heartbeat never goes stale.
    const beating = setInterval(() => void writeHeartbeat(ctx, 'hung', 'hung-r1', new Date()), 100);
    cleanups.push(async () => clearInterval(beating));

    const retry = await waitForRun(ctx, 'hung', 2);
    const history = await historyOf(ctx, 'hung');
    const [timedOut] = ofType(history, 'RunTimedOut');
    expect(timedOut!.data).toMatchObject({ runId: 'hung-r1', reason: expect.stringMatching(/maximum run duration of 1.5s/) });
    const started = ofType(history, 'RunStarted')[0]!;
    expect(Date.parse(timedOut!.occurredAt) - Date.parse(started.occurredAt)).toBeGreaterThan(1_500);
    expect(retry.data).toMatchObject({ runId: 'hung-r2', attempt: 2 });
    expect((await stateOf(ctx, 'hung'))!.runs[0]!.error).toMatchObject({ category: ErrorCategory.TIMEOUT, retryable: true });
  });

  it('times out a run stuck in scheduled or in provisioning, naming the stage, and retries it', async () => {
    const ctx = await context('stuck');
    await scheduler(ctx, { resyncMs: 100, policy: { provisioningTimeoutMs: 1_000, backoffBaseMs: 0, maxRetries: 5 } });
    await createTask(ctx, 'nopod');
    await createTask(ctx, 'noagent');
    // No pod-manager: nothing ever answers the first task's RunScheduled.
    await waitForRun(ctx, 'nopod');
    // A workspace is ready for the second, but no agent-runtime takes it.
    await waitForRun(ctx, 'noagent');
    await appendTo(ctx, 'noagent', event('WorkspaceReady', { runId: 'noagent-r1', workspaceId: 'ws-noagent-r1' }));

    const nopodRetry = await waitForRun(ctx, 'nopod', 2);
    const noagentRetry = await waitForRun(ctx, 'noagent', 2);
    const [nopodTimeout] = ofType(await historyOf(ctx, 'nopod'), 'RunTimedOut');
    expect(nopodTimeout!.data).toMatchObject({ runId: 'nopod-r1', reason: expect.stringContaining('stuck in scheduled') });
    const [noagentTimeout] = ofType(await historyOf(ctx, 'noagent'), 'RunTimedOut');
    expect(noagentTimeout!.data).toMatchObject({ runId: 'noagent-r1', reason: expect.stringContaining('stuck in provisioning') });
    expect([nopodRetry.data.runId, noagentRetry.data.runId]).toEqual(['nopod-r2', 'noagent-r2']);
    const scheduledAt = ofType(await historyOf(ctx, 'nopod'), 'RunScheduled')[0]!.occurredAt;
    expect(Date.parse(nopodTimeout!.occurredAt) - Date.parse(scheduledAt)).toBeGreaterThan(1_000);
    expect((await stateOf(ctx, 'nopod'))!.runs[0]!.error).toMatchObject({ category: ErrorCategory.TIMEOUT, retryable: true });
  });

  it('dead-letters a malformed event and goes on scheduling', async () => {
    const ctx = await context('dlq');
    await scheduler(ctx);
    await jetstream(ctx.nc).publish(ctx.topology.event('task', 'broken'), new TextEncoder().encode('{"not": "an event"'), {
      msgID: 'garbage-1',
    });
    await createTask(ctx, 'fine');
    await waitForRun(ctx, 'fine');

    const jsm = await jetstreamManager(ctx.nc);
    const letter = await waitFor('the malformed event in the dead letters', async () => {
      const info = await jsm.streams.info(ctx.topology.streams.dlq);
      if (info.state.messages === 0) return undefined;
      return jsm.streams.getMessage(ctx.topology.streams.dlq, { last_by_subj: ctx.topology.dlq('scheduler') });
    });
    expect(letter!.header.get(Headers.deadLetterReason)).toBe('decode_malformed_json');
  });
});
