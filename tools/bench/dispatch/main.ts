/**
 * Dispatch latency and throughput of the whole main loop: every service as its
 * own process on one NATS server, a no-op scripted agent, real git.
 *
 *   start  = TaskCreated → RunStarted (the agent process started)
 *   resume = ChecksReported(failing) → RunStarted of the resume run
 *   tasks_per_min = tasks completed (squash-merged) per minute of the run
 *
 * Baseline in the same run: one JetStream publish → durable pull consumer
 * delivery, the floor under any hop between two services. `--quick` keeps it
 * under a minute.
 */
import { randomUUID } from 'node:crypto';
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { AckPolicy, jetstream, jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import {
  CheckStatus,
  CreateTaskSchema,
  ForgeKind,
  RegisterRepoSchema,
  RunKind,
  TaskKind,
  topology,
  type Envelope,
} from '@cohort/contracts';
import { JetStreamEventStore, ensureEventStream } from '@cohort/eventstore';
import { CommandClient, ensureMessagingStreams } from '@cohort/messaging';
import { deleteNamespace } from '@cohort/testing';
import { Stack } from '../../cli/src/stack/stack.js';

const exec = promisify(execFile);
const quick = process.argv.includes('--quick');
const TASKS = quick ? 25 : 200;
const RESUME_EVERY = 5;
const rateArg = process.argv.find((a) => a.startsWith('--interval-ms='));
/** Time between task creations; the default keeps arrivals below what two cores can dispatch. */
const CREATE_INTERVAL_MS = rateArg ? Number(rateArg.split('=')[1]) : quick ? 1000 : 500;
const url = process.env.NATS_URL ?? 'nats://127.0.0.1:4222';
const repoRoot = resolve(import.meta.dirname, '../../..');

// Every task adds a file of its own, so each pull request has a change and none conflicts with another.
const NOOP_PLAYBOOK = 'initial:\n  - run: echo done > "out-$(date +%s%N)-$$.txt"\n';

const percentile = (values: number[], p: number) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted.length === 0 ? NaN : sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
};
const round = (n: number) => Math.round(n * 100) / 100;
const ms = (e: Envelope) => Date.parse(e.occurredAt);

async function baselineHopMs(nc: Awaited<ReturnType<typeof connect>>, tp: ReturnType<typeof topology>): Promise<number> {
  const jsm = await jetstreamManager(nc);
  const js = jetstream(nc);
  const stream = `${tp.namespace.toUpperCase()}_HOP`;
  await jsm.streams.add({ name: stream, subjects: [`${tp.namespace}.hop`] });
  await jsm.consumers.add(stream, { durable_name: 'hop', ack_policy: AckPolicy.Explicit });
  const consumer = await js.consumers.get(stream, 'hop');
  const messages = await consumer.consume();
  const samples: number[] = [];
  const received = (async () => {
    for await (const m of messages) {
      samples.push(performance.now() - Number(m.string()));
      m.ack();
      if (samples.length === 200) break;
    }
  })();
  for (let i = 0; i < 200; i++) {
    await js.publish(`${tp.namespace}.hop`, String(performance.now()));
    await new Promise((r) => setTimeout(r, 5));
  }
  await received;
  await jsm.streams.delete(stream);
  return percentile(samples, 50);
}

async function bareRepo(dir: string, name: string, files: Record<string, string>): Promise<string> {
  const work = join(dir, `${name}-seed`);
  await mkdir(join(work, '.cohort'), { recursive: true });
  for (const [path, content] of Object.entries(files)) await writeFile(join(work, path), content);
  await exec('git', ['init', '-q', '-b', 'main', work]);
  await exec('git', ['-C', work, 'add', '-A']);
  await exec('git', ['-C', work, '-c', 'user.name=b', '-c', 'user.email=b@b', 'commit', '-q', '-m', 'seed']);
  const origin = join(dir, `${name}.git`);
  await exec('git', ['clone', '-q', '--bare', work, origin]);
  return origin;
}

const nc = await connect({ servers: url, name: 'bench-dispatch' });
const tp = topology(`bench_${randomUUID().replace(/-/g, '').slice(0, 10)}`);
const dataDir = await mkdtemp(join(tmpdir(), 'cohort-bench-dispatch-'));
const jsm = await jetstreamManager(nc);
await ensureEventStream(jsm, tp);
await ensureMessagingStreams(jsm, tp, { logs: { maxBytes: 256 * 1024 * 1024 }, dlq: { maxBytes: 16 * 1024 * 1024 } });
const stack = Stack.start({
  repoRoot,
  natsUrl: url,
  databaseUrl: process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres',
  namespace: tp.namespace,
  dataDir,
  secretsKey: Buffer.alloc(32, 3).toString('base64'),
  onLine: () => undefined,
  // The main loop only: dispatch never waits on the read side, and on a small
  // machine the projector, gateway and dashboard would take its CPU.
  only: ['connections', 'intake', 'pod-manager', 'agent-runtime', 'pr-watcher', 'scheduler'],
  env: { SCHEDULER_MAX_CONCURRENT_RUNS: '64', SCHEDULER_RESYNC_MS: '2000', COHORT_LOGS_MAX_BYTES: String(256 * 1024 * 1024) },
});

try {
  const hopP50 = await baselineHopMs(nc, tp);
  const noop = await bareRepo(dataDir, 'noop', {
    'README.md': 'bench\n',
    '.cohort/playbook.yaml': NOOP_PLAYBOOK,
  });
  const resumeRepo = await bareRepo(dataDir, 'resume', {
    'README.md': 'bench\n',
    // The first attempt leaves a pending file that fails CI; the resume removes it, so every task of this repo resumes once.
    '.cohort/playbook.yaml':
      'initial:\n  - run: echo done > "out-$(date +%s%N)-$$.txt" && touch "pending-$$.txt"\nresume:ci_failure:\n  - run: rm -f pending-*.txt\n',
  });
  const commands = new CommandClient(nc, tp, { timeoutMs: 5000 });
  for (const [name, origin, ci] of [
    ['noop', noop, 'true'],
    ['resume', resumeRepo, '! ls pending-*.txt 2>/dev/null'],
  ] as const) {
    for (let attempt = 0; ; attempt++) {
      const result = await commands.send('intake', 'RegisterRepo', RegisterRepoSchema, {
        settings: {
          name,
          url: origin,
          forge: ForgeKind.LOCAL,
          defaultBranch: 'main',
          ciCommand: ci,
          policy: { autoMerge: true, approvalRequired: false },
          maxConcurrency: 64,
          defaultAgent: 'scripted',
        },
      });
      if (result.ok) break;
      if (attempt > 120) throw new Error(`intake did not register ${name}: ${result.error.message}`);
      await new Promise((r) => setTimeout(r, 500));
    }
  }

  const started = performance.now();
  const ids: string[] = [];
  for (let i = 0; i < TASKS; i++) {
    const repo = i % RESUME_EVERY === 0 ? 'resume' : 'noop';
    const result = await commands.send('intake', 'CreateTask', CreateTaskSchema, {
      kind: TaskKind.REPO,
      title: `bench ${i}`,
      prompt: 'no-op',
      repoId: repo,
    });
    if (!result.ok) throw new Error(`CreateTask failed: ${result.error.message}`);
    ids.push(result.value.aggregateId);
    await new Promise((r) => setTimeout(r, CREATE_INTERVAL_MS));
  }
  const store = await JetStreamEventStore.create({ nc, topology: tp });
  const deadline = Date.now() + (quick ? 45_000 : 600_000);
  let histories: Envelope[][] = [];
  for (;;) {
    histories = await Promise.all(ids.map(async (id) => [...(await store.read({ type: 'task', id })).events]));
    const done = histories.filter((h) =>
      h.some((e) => e.type === 'TaskCompleted' || e.type === 'TaskFailed' || e.type === 'TaskNeedsAttention'),
    ).length;
    if (done === ids.length || Date.now() > deadline) break;
    await new Promise((r) => setTimeout(r, 500));
  }
  const elapsedMin = (performance.now() - started) / 60_000;
  const startLatencies = histories.flatMap((h) => {
    const created = h.find((e) => e.type === 'TaskCreated');
    const first = h.find((e) => e.type === 'RunStarted');
    return created && first ? [ms(first) - ms(created)] : [];
  });
  const resumeLatencies = histories.flatMap((h) => {
    const failing = h.find((e) => e.type === 'ChecksReported' && (e.data as { status: number }).status === CheckStatus.FAILING);
    const resumeRun = h.find((e) => e.type === 'RunScheduled' && (e.data as { kind: number }).kind === RunKind.RESUME);
    const resumeStart =
      resumeRun &&
      h.find((e) => e.type === 'RunStarted' && (e.data as { runId: string }).runId === (resumeRun.data as { runId: string }).runId);
    return failing && resumeStart ? [ms(resumeStart) - ms(failing)] : [];
  });
  const hop = (from: string, to: string) =>
    round(
      percentile(
        histories.flatMap((h) => {
          const a = h.find((e) => e.type === from);
          const b = h.find((e) => e.type === to);
          return a && b ? [ms(b) - ms(a)] : [];
        }),
        50,
      ),
    );
  const stages = {
    created_to_scheduled_p50_ms: hop('TaskCreated', 'RunScheduled'),
    scheduled_to_workspace_p50_ms: hop('RunScheduled', 'WorkspaceReady'),
    workspace_to_started_p50_ms: hop('WorkspaceReady', 'RunStarted'),
  };
  const completed = histories.filter((h) => h.some((e) => e.type === 'TaskCompleted')).length;
  const result = {
    name: 'dispatch',
    tasks: TASKS,
    completed,
    start_p50_ms: round(percentile(startLatencies, 50)),
    start_p99_ms: round(percentile(startLatencies, 99)),
    resume_p50_ms: round(percentile(resumeLatencies, 50)),
    resume_samples: resumeLatencies.length,
    tasks_per_min: round(completed / elapsedMin),
    baseline_hop_p50_ms: round(hopP50),
    start_p50_vs_hop: round(percentile(startLatencies, 50) / hopP50),
    ...stages,
  };
  const lastTypes = new Map<string, number>();
  for (const h of histories) lastTypes.set(h.at(-1)?.type ?? 'none', (lastTypes.get(h.at(-1)?.type ?? 'none') ?? 0) + 1);
  console.log(`last event of each task: ${[...lastTypes].map(([t, n]) => `${t} ${n}`).join(', ')}`);
  console.log(`tasks ${TASKS}, completed ${completed} in ${round(elapsedMin)} min (created one every ${CREATE_INTERVAL_MS} ms)`);
  console.log(`create → agent started: p50 ${result.start_p50_ms} ms, p99 ${result.start_p99_ms} ms`);
  console.log(`failing checks → resume started: p50 ${result.resume_p50_ms} ms over ${resumeLatencies.length} resumes`);
  console.log(
    `stages p50: scheduled ${stages.created_to_scheduled_p50_ms} ms, workspace ${stages.scheduled_to_workspace_p50_ms} ms, agent started ${stages.workspace_to_started_p50_ms} ms`,
  );
  console.log(`baseline: JetStream publish → consumer p50 ${result.baseline_hop_p50_ms} ms`);
  console.log(JSON.stringify(result));
} finally {
  await stack.stop();
  await deleteNamespace(nc, tp);
  await nc.close();
  await rm(dataDir, { recursive: true, force: true });
}
