import { rmSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { randomUUID } from 'node:crypto';
import {
  create,
  ErrorCategory,
  LogStream,
  PullRequestOpenedSchema,
  ResumeReason,
  ReviewVerdict,
  RunFinishedSchema,
  RunKind,
  RunOutcome,
  RunStartedSchema,
  RunTimedOutSchema,
  type EnvelopeOf,
} from '@cohort/contracts';
import { gitSync, waitFor } from '@cohort/testing';
import {
  processesIn,
  repoFixture,
  runScheduled,
  scenario,
  taskCancelled,
  taskCreated,
  workspaceReady,
  type Scenario,
  type ScenarioOptions,
} from '../test/harness.js';

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function setup(label: string, options: ScenarioOptions): Promise<Scenario> {
  const s = await scenario(label, options);
  cleanups.push(() => s.dispose());
  return s;
}

const SECRET = 'sk-live-7f3a9c1e55d04b2a';

function texts(s: Scenario): string[] {
  return s.logs.map((line) => line.text);
}

describe('agent-runtime', () => {
  it('runs the agent in the worktree, streams every line in order, pushes the branch and records usage', async () => {
    const s = await setup('happy', {
      playbook: `initial:
  - print: Reading the task
  - write: { path: src/sum.js, content: "export const sum = (a, b) => a + b;\\n" }
  - run: echo "token=$API_TOKEN"; echo "to stderr" >&2
  - usage: { input_tokens: 1000, output_tokens: 200 }
  - sleep_ms: 500
  - print: done
`,
      config: { resolveRunEnv: async () => ({ API_TOKEN: SECRET }) },
    });
    await s.append(taskCreated(s, 'Make the sum function add.\nUse plain JavaScript.'), runScheduled(s), workspaceReady(s));

    const beat = await waitFor('a heartbeat while the agent runs', async () => {
      const entry = await s.heartbeats.get(s.runId);
      return entry && entry.operation === 'PUT' ? (entry.json() as Record<string, string>) : undefined;
    });
    expect(beat).toMatchObject({ taskId: s.taskId, runId: s.runId });
    expect(new Date(beat.at!).toISOString()).toBe(beat.at);

    const finished = await s.finished();
    const events = await s.events();
    expect(events.map((e) => e.type)).toEqual([
      'TaskCreated',
      'RunScheduled',
      'WorkspaceReady',
      'RunStarted',
      'RunUsageReported',
      'RunFinished',
    ]);
    const started = events.find((e): e is EnvelopeOf<'RunStarted'> => e.type === 'RunStarted')!;
    expect(started.data.prompt).toContain('Make the sum function add.');
    expect(started.data.workspaceId).toBe(`ws-${s.runId}`);

    const pushed = gitSync(s.repo.origin, 'rev-parse', s.repo.branch);
    expect(finished.data).toMatchObject({
      runId: s.runId,
      outcome: RunOutcome.SUCCEEDED,
      exitCode: 0,
      branch: s.repo.branch,
      headSha: pushed,
      hasChanges: true,
    });
    expect(gitSync(s.repo.origin, 'show', `${pushed}:src/sum.js`)).toBe('export const sum = (a, b) => a + b;');
    // No cost reported by the agent: priced from the table (claude-sonnet-4: $3 in, $15 out per MTok).
    expect(finished.data.usage).toMatchObject({ inputTokens: 1000, outputTokens: 200, model: 'claude-sonnet-4' });
    expect(finished.data.usage!.costUsd).toBeCloseTo(0.006, 9);

    await waitFor('every log line', () => (s.logs.at(-1) && s.logs.length >= 8 ? true : undefined));
    expect(s.logs.map((l) => l.seq)).toEqual(s.logs.map((_, i) => i + 1));
    const lines = texts(s);
    expect(lines.some((t) => t.includes('[prompt] Make the sum function add.'))).toBe(true);
    expect(lines.some((t) => t.includes('[prompt] Use plain JavaScript.'))).toBe(true);
    // The command's stdout and stderr are two pipes, so only lines of one stream have an order.
    const order = ['Reading the task', 'write src/sum.js', 'token=[redacted]', 'done'];
    const positions = order.map((needle) => lines.findIndex((t) => t === needle || t.endsWith(` ${needle}`) || t === `$ ${needle}`));
    expect(positions.every((p) => p >= 0)).toBe(true);
    expect(positions).toEqual([...positions].sort((a, b) => a - b));
    expect(s.logs.every((l) => l.taskId === s.taskId && l.runId === s.runId)).toBe(true);
    expect(lines.some((t) => t.includes('to stderr'))).toBe(true);
    expect(s.logs.every((l) => l.stream === LogStream.STDOUT)).toBe(true);

    // The secret reached the agent (it printed it) but nothing it wrote or any event carries it.
    expect(JSON.stringify(s.logs)).not.toContain(SECRET);
    expect(
      JSON.stringify(
        events.map((e) => e.data),
        (_k, v: unknown) => (typeof v === 'bigint' ? String(v) : v),
      ),
    ).not.toContain(SECRET);

    await waitFor('the heartbeat to be removed', async () => {
      const entry = await s.heartbeats.get(s.runId);
      return entry === null || entry.operation !== 'PUT' ? true : undefined;
    });
    expect(s.runtime.activeRuns()).toEqual([]);
  });

  it('resumes the agent with the failing check output in its prompt when CI fails', async () => {
    const s = await setup('resume', {
      playbook: `initial:
  - print: wrong section
resume:ci_failure:
  - print: fixing the failing check
`,
    });
    await s.append(
      taskCreated(s),
      runScheduled(s, {
        kind: RunKind.RESUME,
        resumeReason: ResumeReason.CI_FAILURE,
        context: { failingChecks: [{ name: 'unit tests', outputTail: 'AssertionError: expected 3, got -1' }] },
      }),
      workspaceReady(s),
    );
    const finished = await s.finished();
    expect(finished.data.outcome).toBe(RunOutcome.SUCCEEDED);
    const started = (await s.events()).find((e): e is EnvelopeOf<'RunStarted'> => e.type === 'RunStarted')!;
    expect(started.data.prompt).toContain('AssertionError: expected 3, got -1');
    await waitFor('the resume section to play', () => (texts(s).some((t) => t.includes('fixing the failing check')) ? true : undefined));
    const lines = texts(s);
    expect(lines.some((t) => t.includes('[prompt] AssertionError: expected 3, got -1'))).toBe(true);
    expect(lines.some((t) => t.includes('unit tests'))).toBe(true);
    expect(lines.some((t) => t.includes('wrong section'))).toBe(false);
    // Nothing changed: the branch is pushed at the base.
    expect(finished.data).toMatchObject({ hasChanges: false, headSha: s.repo.baseSha });
  });

  it('does not push work that contains a secret value of the run, and fails the run saying why', async () => {
    const s = await setup('leak', {
      playbook: `initial:
  - run: echo "$API_TOKEN" > config.yml
`,
      config: { resolveRunEnv: async () => ({ API_TOKEN: SECRET }) },
    });
    await s.append(taskCreated(s), runScheduled(s), workspaceReady(s));
    const finished = await s.finished();
    expect(finished.data.outcome).toBe(RunOutcome.FAILED);
    expect(finished.data.error?.message).toContain('contain the value of a secret');
    expect(() => gitSync(s.repo.origin, 'rev-parse', '--verify', '--quiet', s.repo.branch)).toThrow();
    expect(JSON.stringify(s.logs)).not.toContain(SECRET);
  });

  it('reports a review run’s verdict with its comments at path:line, and pushes nothing', async () => {
    const s = await setup('review', {
      playbook: `review:
  - review:
      verdict: request_changes
      body: Almost there.
      comments: [{ path: src/sum.js, line: 2, body: use + instead of - }]
`,
    });
    const head = s.repo.baseSha;
    // The work run before it, finished, and its pull request open: what a review run follows.
    const work = { taskId: s.taskId, runId: `${s.taskId}-r0` };
    await s.append(
      taskCreated(s),
      runScheduled(work),
      { id: randomUUID(), type: 'RunStarted', data: create(RunStartedSchema, { runId: work.runId }) },
      {
        id: randomUUID(),
        type: 'RunFinished',
        data: create(RunFinishedSchema, { runId: work.runId, outcome: RunOutcome.SUCCEEDED, headSha: head, hasChanges: true }),
      },
      {
        id: randomUUID(),
        type: 'PullRequestOpened',
        data: create(PullRequestOpenedSchema, { number: 1, headSha: head, branch: s.repo.branch }),
      },
      runScheduled(s, { kind: RunKind.REVIEW, headSha: head }),
      workspaceReady(s),
    );
    const finished = await s.finished();
    expect(finished.data).toMatchObject({
      outcome: RunOutcome.SUCCEEDED,
      reviewVerdict: ReviewVerdict.CHANGES_REQUESTED,
      summary: 'Almost there.\n\n- src/sum.js:2: use + instead of -',
      headSha: '',
    });
    expect(() => gitSync(s.repo.origin, 'rev-parse', '--verify', '--quiet', s.repo.branch)).toThrow();
  });

  it('kills what the agent left running in the background when it exits', async () => {
    const s = await setup('bg', { playbook: 'initial:\n  - run: sleep 300 > /dev/null 2>&1 &\n  - print: leaving\n' });
    await s.append(taskCreated(s), runScheduled(s), workspaceReady(s));
    expect((await s.finished()).data.outcome).toBe(RunOutcome.SUCCEEDED);
    await waitFor('the background sleep to be gone', () => (processesIn(s.repo.worktree).length === 0 ? true : undefined), 3000);
  });

  it('finishes the run as failed with the exit code when the agent fails', async () => {
    const s = await setup('fails', {
      playbook: `initial:
  - print: giving up
  - exit: 3
`,
    });
    await s.append(taskCreated(s), runScheduled(s), workspaceReady(s));
    const finished = await s.finished();
    expect(finished.data.outcome).toBe(RunOutcome.FAILED);
    expect(finished.data.exitCode).toBe(3);
    expect(finished.data.error?.message).toContain('exited with code 3');
  });

  it('kills the whole process tree within 2 s when the task is cancelled, and finishes the run as cancelled', async () => {
    const s = await setup('cancel', {
      playbook: `initial:
  - print: started
  - run: sleep 300 & sleep 300
`,
    });
    await s.append(taskCreated(s), runScheduled(s), workspaceReady(s));
    await waitFor('the agent and both sleeps to run', () => (processesIn(s.repo.worktree).length >= 3 ? true : undefined));

    const cancelledAt = Date.now();
    await s.append(taskCancelled());
    await waitFor('every process of the tree to be gone', () => (processesIn(s.repo.worktree).length === 0 ? true : undefined), 5000, 10);
    expect(Date.now() - cancelledAt).toBeLessThan(2000);

    const finished = await s.finished();
    expect(finished.data.outcome).toBe(RunOutcome.CANCELLED);
    // Work of a cancelled run is not pushed.
    expect(() => gitSync(s.repo.origin, 'rev-parse', '--verify', '--quiet', s.repo.branch)).toThrow();
  });

  it('kills a hung agent and its process tree past the maximum run duration, and finishes the run as timed out', async () => {
    const s = await setup('hung', {
      playbook: `initial:
  - print: started
  - write: { path: half-done.txt, content: "partial\\n" }
  - run: sleep 300 > /dev/null 2>&1 &
  - sleep_ms: 600000
`,
      config: { maxRunDurationMs: 1_500 },
    });
    await s.append(taskCreated(s), runScheduled(s), workspaceReady(s));
    await waitFor('the hung agent and its background sleep', () => (processesIn(s.repo.worktree).length >= 2 ? true : undefined));
    // Hung, not dead: its heartbeat keeps going, so only the duration limit can stop it.
    const beat = await s.heartbeats.get(s.runId);
    expect(beat?.operation).toBe('PUT');

    const finished = await s.finished();
    expect(processesIn(s.repo.worktree)).toEqual([]);
    expect(finished.data).toMatchObject({ runId: s.runId, outcome: RunOutcome.TIMED_OUT, hasChanges: false, headSha: '' });
    expect(finished.data.error).toMatchObject({ category: ErrorCategory.TIMEOUT, retryable: true });
    expect(finished.data.error?.message).toContain('maximum run duration of 1.5 s');
    const [started] = (await s.events()).filter((e) => e.type === 'RunStarted');
    expect(Date.parse(finished.occurredAt) - Date.parse(started!.occurredAt)).toBeGreaterThanOrEqual(1_500);
    // Work of a run that timed out is not pushed: its retry starts clean.
    expect(() => gitSync(s.repo.origin, 'rev-parse', '--verify', '--quiet', s.repo.branch)).toThrow();
    await waitFor('the heartbeat to be removed', async () => ((await s.heartbeats.get(s.runId))?.operation === 'PUT' ? undefined : true));
  });

  it('stops the agent of a run the scheduler timed out, and reports its usage', async () => {
    const s = await setup('timedout', {
      playbook: `initial:
  - print: started
  - usage: { input_tokens: 500, output_tokens: 50 }
  - print: working
  - run: sleep 300
`,
    });
    await s.append(taskCreated(s), runScheduled(s), workspaceReady(s));
    // The line after the usage: the runtime has counted the usage by the time it is published.
    await waitFor('the agent to report usage', () => (texts(s).some((t) => t.endsWith('working')) ? true : undefined));
    await waitFor('the agent to run its sleep', () => (processesIn(s.repo.worktree).length >= 2 ? true : undefined));
    await s.append({
      id: randomUUID(),
      type: 'RunTimedOut',
      data: create(RunTimedOutSchema, { runId: s.runId, reason: 'no heartbeat for 601s (stall threshold 600s)' }),
    });
    const finished = await s.finished();
    await waitFor('every process of the tree to be gone', () => (processesIn(s.repo.worktree).length === 0 ? true : undefined), 5000);
    expect(finished.data.outcome).toBe(RunOutcome.TIMED_OUT);
    expect(finished.data.error?.message).toContain('no heartbeat for 601s');
    expect(finished.data.usage).toMatchObject({ inputTokens: 500, outputTokens: 50 });
  });

  it('runs at most the configured number of agents; a waiting run starts when a slot frees, and cancels still get through', async () => {
    const a = await setup('slots', { playbook: 'initial:\n  - print: started\n  - run: sleep 300\n', config: { maxConcurrentAgents: 1 } });
    const bTaskId = `${a.taskId}b`;
    const b = { taskId: bTaskId, runId: `${bTaskId}-r1`, repo: repoFixture(bTaskId) };
    cleanups.push(async () => rmSync(b.repo.dir, { recursive: true, force: true }));
    const bTask = { type: 'task' as const, id: bTaskId };
    const bStarted = async () => (await a.store.read(bTask)).events.some((e) => e.type === 'RunStarted');

    await a.append(taskCreated(a), runScheduled(a), workspaceReady(a));
    await waitFor('the first agent', () => (texts(a).some((t) => t.includes('started')) ? true : undefined));
    await a.store.append(bTask, [taskCreated(b), runScheduled(b), workspaceReady(b)], { expectedVersion: 0 });
    await new Promise((resolve) => setTimeout(resolve, 800));
    expect(await bStarted()).toBe(false);

    await a.append(taskCancelled());
    expect((await a.finished()).data.outcome).toBe(RunOutcome.CANCELLED);
    await waitFor('the waiting run to start', async () => ((await bStarted()) ? true : undefined));
    await a.store.append(bTask, [taskCancelled()], { expectedVersion: 'any' });
    await waitFor('the second run to finish', async () =>
      (await a.store.read(bTask)).events.some((e) => e.type === 'RunFinished') ? true : undefined,
    );
  });

  it('starts a run once: a redelivered or repeated WorkspaceReady does not start the agent again', async () => {
    const s = await setup('once', { playbook: 'initial:\n  - sleep_ms: 300\n  - print: once\n' });
    await s.append(taskCreated(s), runScheduled(s), workspaceReady(s));
    await waitFor('RunStarted', async () => ((await s.events()).some((e) => e.type === 'RunStarted') ? true : undefined));
    await s.append(workspaceReady(s));
    await s.finished();
    await new Promise((resolve) => setTimeout(resolve, 300));
    const types = (await s.events()).map((e) => e.type);
    expect(types.filter((t) => t === 'RunStarted')).toHaveLength(1);
    expect(types.filter((t) => t === 'RunFinished')).toHaveLength(1);
    expect(texts(s).filter((t) => t === 'once')).toHaveLength(1);
  });

  it('does not start a run of a cancelled task', async () => {
    const s = await setup('skip', { playbook: 'initial:\n  - print: should not run\n' });
    await s.append(taskCreated(s), runScheduled(s), taskCancelled(), workspaceReady(s));
    await new Promise((resolve) => setTimeout(resolve, 800));
    expect((await s.events()).map((e) => e.type)).toEqual(['TaskCreated', 'RunScheduled', 'TaskCancelled', 'WorkspaceReady']);
    expect(s.logs).toEqual([]);
  });

  it('fails the run with a retryable error when connections cannot be asked for its env', async () => {
    const s = await setup('noconn', { playbook: 'initial:\n  - print: hi\n', config: { requireConnections: true } });
    await s.append(taskCreated(s), runScheduled(s), workspaceReady(s));
    const finished = await s.finished();
    expect(finished.data.outcome).toBe(RunOutcome.FAILED);
    expect(finished.data.error).toMatchObject({ category: ErrorCategory.NETWORK, retryable: true });
    expect(finished.data.error?.message).toContain('connections');
    expect(s.logs).toEqual([]);
  });

  it('stops running agents on shutdown and finishes their runs as failed and retryable', async () => {
    const s = await setup('shutdown', { playbook: 'initial:\n  - print: started\n  - run: sleep 300\n' });
    await s.append(taskCreated(s), runScheduled(s), workspaceReady(s));
    await waitFor('the agent to start', () => (texts(s).some((t) => t.includes('started')) ? true : undefined));
    await s.runtime.close();
    const finished = await s.finished();
    expect(finished.data.outcome).toBe(RunOutcome.FAILED);
    expect(finished.data.error).toMatchObject({ retryable: true });
    expect(processesIn(s.repo.worktree)).toEqual([]);
  });
});
