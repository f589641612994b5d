import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { jetstreamManager } from '@nats-io/jetstream';
import { afterEach, describe, expect, it } from 'vitest';
import { RunOutcome, type Envelope, type EnvelopeOf } from '@cohort/contracts';
import { ensureEventStream, JetStreamEventStore } from '@cohort/eventstore';
import { natsTestContext, waitFor, type NatsTestContext } from '@cohort/testing';
import { openHeartbeats } from './start-agent-runtime.js';
import { REPO_ROOT } from './config.js';
import { processesIn, repoFixture, runScheduled, taskCreated, workspaceReady } from '../test/harness.js';

const MAIN = fileURLToPath(new URL('./main.ts', import.meta.url));
const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

interface Service {
  readonly child: ChildProcess;
  readonly healthPort: Promise<number>;
  readonly exited: Promise<number | null>;
}

function startService(ctx: NatsTestContext, playbook: string): Service {
  const child = spawn(process.execPath, ['--conditions=cohort-source', '--import', 'tsx', MAIN], {
    cwd: REPO_ROOT,
    env: {
      ...process.env,
      NATS_URL: ctx.url,
      COHORT_NAMESPACE: ctx.topology.namespace,
      HEALTH_PORT: '0',
      AGENT_RUNTIME_HEARTBEAT_MS: '100',
      AGENT_RUNTIME_REQUIRE_CONNECTIONS: 'false',
      AGENT_RUNTIME_CONNECTIONS_TIMEOUT_MS: '500',
      COHORT_SCRIPTED_PLAYBOOK: playbook,
      AGENT_RUNTIME_STATE_DIR: join(playbook, '..', 'state'),
    },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  const healthPort = new Promise<number>((resolve, reject) => {
    child.stderr!.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
      const port = /health on :(\d+)/.exec(stderr)?.[1];
      if (port) resolve(Number(port));
    });
    child.once('exit', () => reject(new Error(`agent-runtime exited before it was ready:\n${stderr}`)));
  });
  healthPort.catch(() => undefined);
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  cleanups.push(() => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  });
  return { child, healthPort, exited };
}

async function setup(label: string, playbookText: string) {
  const ctx = await natsTestContext({ label });
  cleanups.push(() => ctx.dispose());
  await ensureEventStream(await jetstreamManager(ctx.nc), ctx.topology);
  const store = await JetStreamEventStore.create({ nc: ctx.nc, topology: ctx.topology });
  const taskId = `t-${randomUUID().slice(0, 8)}`;
  const runId = `${taskId}-r1`;
  const repo = repoFixture(taskId);
  cleanups.push(() => {
    // An agent orphaned by kill -9 of its runtime is ours to end here.
    for (const pid of processesIn(repo.worktree)) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }
    rmSync(repo.dir, { recursive: true, force: true });
  });
  const playbook = join(repo.dir, 'playbook.yaml');
  writeFileSync(playbook, playbookText);
  const aggregate = { type: 'task' as const, id: taskId };
  const events = async (): Promise<readonly Envelope[]> => (await store.read(aggregate)).events;
  const s = { taskId, runId, repo };
  return {
    ctx,
    store,
    s,
    playbook,
    events,
    start: () => store.append(aggregate, [taskCreated(s), runScheduled(s), workspaceReady(s)], { expectedVersion: 0 }),
    redeliver: () => store.append(aggregate, [workspaceReady(s)], { expectedVersion: 'any' }),
  };
}

describe('agent-runtime as its own process', () => {
  it('serves health, and on SIGTERM stops its agents, finishes their runs as failed and retryable, and exits 0', async () => {
    const t = await setup('proc-term', 'initial:\n  - print: started\n  - run: sleep 300\n');
    const service = startService(t.ctx, t.playbook);
    const port = await service.healthPort;
    const ready = await waitFor('readiness', async () => {
      const response = await fetch(`http://127.0.0.1:${port}/readyz`);
      return response.status === 200 ? ((await response.json()) as { checks: Record<string, { detail: string }> }) : undefined;
    });
    expect(ready.checks.nats?.detail).toMatch(/^connected to .+ \(rtt \d+ ms\)$/);

    await t.start();
    await waitFor('the agent to run', () => (processesIn(t.s.repo.worktree).length >= 2 ? true : undefined));
    service.child.kill('SIGTERM');
    expect(await service.exited).toBe(0);

    const finished = (await t.events()).find((e): e is EnvelopeOf<'RunFinished'> => e.type === 'RunFinished');
    expect(finished?.data.outcome).toBe(RunOutcome.FAILED);
    expect(finished?.data.error?.retryable).toBe(true);
    expect(processesIn(t.s.repo.worktree)).toEqual([]);
  });

  it('after kill -9 the heartbeat goes stale; a restarted instance kills the orphaned agent and does not start the run again', async () => {
    const t = await setup('proc-kill', 'initial:\n  - print: started\n  - run: sleep 300\n');
    const first = startService(t.ctx, t.playbook);
    await first.healthPort;
    await t.start();
    const heartbeats = await openHeartbeats(t.ctx.nc, t.ctx.topology);
    await waitFor('a heartbeat', async () => ((await heartbeats.get(t.s.runId))?.operation === 'PUT' ? true : undefined));
    // Until the agent has printed its prompt and started the command, a dead runtime's closed pipes
    // would end it on its next write: wait for the quiet `sleep`.
    await waitFor('the agent to run its command', () =>
      processesIn(t.s.repo.worktree).some((pid) => commandName(pid) === 'sleep') ? true : undefined,
    );

    first.child.kill('SIGKILL');
    await first.exited;
    expect(processesIn(t.s.repo.worktree).length).toBeGreaterThan(0);
    const last = (await heartbeats.get(t.s.runId))!.json<{ at: string }>().at;
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect((await heartbeats.get(t.s.runId))!.json<{ at: string }>().at).toBe(last);

    // Still there after its runtime died: only the next instance's reaping ends it.
    expect(processesIn(t.s.repo.worktree).length).toBeGreaterThan(0);
    const second = startService(t.ctx, t.playbook);
    await second.healthPort;
    await t.redeliver();
    await new Promise((resolve) => setTimeout(resolve, 1000));
    const types = (await t.events()).map((e) => e.type);
    expect(types.filter((type) => type === 'RunStarted')).toHaveLength(1);
    expect(types).not.toContain('RunFinished');
    // The orphaned agent of the first instance is gone, and no second one was started.
    expect(processesIn(t.s.repo.worktree)).toEqual([]);
    second.child.kill('SIGTERM');
    expect(await second.exited).toBe(0);
  });
});

function commandName(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/comm`, 'utf8').trim();
  } catch {
    return '';
  }
}
