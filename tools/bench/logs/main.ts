/**
 * Live log latency through the gateway: 50 runs each writing 200 lines a
 * second to the log stream (as agent-runtime does), each read by its own
 * graphql-ws client of the gateway's taskLogs subscription. Reports
 * publish→client latency per line (taskLogs sends lines in chunks: a line's
 * latency runs from its publish to the arrival of its chunk), lines lost,
 * duplicated and out of order (all must be 0), and how many lines a message
 * carried, against a baseline measured in the same run: the same load read by
 * ordered JetStream consumers directly. Gateway, clients and publishers run in
 * separate threads. `--quick` keeps it under a minute; NATS_URL and
 * DATABASE_URL pick the servers.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { Worker } from 'node:worker_threads';
import { jetstreamManager } from '@nats-io/jetstream';
import { headers as natsHeaders } from '@nats-io/transport-node';
import {
  create,
  encodeJson,
  Headers,
  LogLineSchema,
  LogStream,
  RunKind,
  RunScheduledSchema,
  TaskCreatedSchema,
  TaskKind,
  topology,
} from '@cohort/contracts';
import { connectEventLog, ensureEventStream, JetStreamEventStore, JetStreamPublisher } from '@cohort/eventstore';
import { ensureMessagingStreams } from '@cohort/messaging';
import { databaseUrl, deleteNamespace } from '@cohort/testing';
import { nowMs, type ClientReply, type ReadPath, type RoundStats, type RunRef } from './protocol.js';

const quick = process.argv.includes('--quick');
const RUNS = 50;
const LINES_PER_S = 200;
const SECONDS = quick ? 2 : 10;
const ROUNDS = quick ? 3 : 5;
const LINES = LINES_PER_S * SECONDS;
const WARM_UP_LINES = LINES_PER_S;
const TARGET_P99_MS = 50;
const url = process.env.NATS_URL ?? 'nats://127.0.0.1:4222';

const nc = await connectEventLog({ servers: url, name: 'bench-logs' });
const tp = topology(`bench_${randomUUID().replace(/-/g, '').slice(0, 10)}`);
const jsm = await jetstreamManager(nc);
// Lines are published as agent-runtime publishes them (see its LogPublisher).
const publisher = JetStreamPublisher.of(nc);
const token = `bench-admin-${randomBytes(12).toString('hex')}`;
let gatewayWorker: Worker | undefined;
let clientWorker: Worker | undefined;

/**
 * A thread running one of this folder's TypeScript files. The loader that runs
 * this script does not resolve workspace sources inside worker threads, so each
 * thread registers it itself before importing its file.
 */
function startWorker(file: string, data: unknown): Worker {
  const entry = JSON.stringify(new URL(file, import.meta.url).href);
  const code = `import('tsx/esm/api').then(({ register }) => { register(); return import(${entry}); })`;
  return new Worker(code, { eval: true, workerData: data, execArgv: ['--conditions=cohort-source'] });
}

function started<T>(worker: Worker, type: string): Promise<T> {
  return new Promise((resolve, reject) => {
    const settle = (outcome: () => void) => {
      worker.off('message', onMessage);
      worker.off('error', onError);
      outcome();
    };
    const onError = (error: Error) => settle(() => reject(error));
    const onMessage = (message: { type: string; message?: string } & T) => {
      if (message.type === type) settle(() => resolve(message));
      else if (message.type === 'error') settle(() => reject(new Error(message.message)));
    };
    worker.on('message', onMessage);
    worker.on('error', onError);
  });
}

async function clientCommand<T extends ClientReply['type']>(command: unknown, expect: T): Promise<Extract<ClientReply, { type: T }>> {
  const answer = started<Extract<ClientReply, { type: T }>>(clientWorker!, expect);
  clientWorker!.postMessage(command);
  return answer;
}

async function consumerCount(): Promise<number> {
  return (await jsm.streams.info(tp.streams.logs)).state.consumer_count;
}

async function until(what: string, probe: () => Promise<boolean>, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await probe())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

const utf8 = new TextEncoder();

/**
 * The canonical JSON agent-runtime writes for a line, built directly: the
 * protobuf writer would make the publishing side, not the path under test,
 * the bottleneck of this one process. Checked against the writer at start.
 */
function logLineJson(run: RunRef, seq: number, text: string): Uint8Array {
  return utf8.encode(
    JSON.stringify({ taskId: run.taskId, runId: run.runId, seq, stream: 'LOG_STREAM_STDOUT', text, at: new Date().toISOString() }),
  );
}

function assertCanonical(): void {
  const run = { taskId: 'task-x', runId: 'task-x-r1' };
  const ours = new TextDecoder().decode(logLineJson(run, 7, 'hello'));
  const at = (JSON.parse(ours) as { at: string }).at;
  const canonical = new TextDecoder().decode(
    encodeJson(LogLineSchema, create(LogLineSchema, { ...run, seq: 7, stream: LogStream.STDOUT, text: 'hello', at })),
  );
  if (ours !== canonical) throw new Error(`the benchmark's log line JSON ${ours} differs from agent-runtime's ${canonical}`);
}

/** One run's lines at LINES_PER_S, one publish at a time as LogPublisher does; each line's text is its publish time. */
async function publishRun(run: RunRef, startAt: number, lines: number): Promise<void> {
  const subject = tp.log(run.taskId, run.runId);
  for (let seq = 1; seq <= lines; seq++) {
    const wait = startAt + ((seq - 1) * 1000) / LINES_PER_S - performance.now();
    if (wait > 1) await sleep(wait);
    const h = natsHeaders();
    h.set(Headers.msgId, `${run.runId}:${seq}`);
    await publisher.publish(subject, logLineJson(run, seq, String(nowMs())), h, 5_000);
  }
}

async function round(
  path: ReadPath,
  index: number,
  store: JetStreamEventStore,
  lines = LINES,
): Promise<RoundStats & { publishSeconds: number; gatewayLoopDelayP99Ms: number }> {
  const runs: RunRef[] = Array.from({ length: RUNS }, (_, i) => ({ taskId: `${path}-${index}-${i}`, runId: `${path}-${index}-${i}-r1` }));
  if (path === 'gateway') {
    // taskLogs answers NOT_FOUND for runs the event log does not know.
    await Promise.all(
      runs.map((run) =>
        store.append(
          { type: 'task', id: run.taskId },
          [
            {
              id: randomUUID(),
              type: 'TaskCreated',
              data: create(TaskCreatedSchema, { taskId: run.taskId, kind: TaskKind.STANDALONE, title: 'bench', agent: 'scripted' }),
            },
            {
              id: randomUUID(),
              type: 'RunScheduled',
              data: create(RunScheduledSchema, { runId: run.runId, attempt: 1, kind: RunKind.INITIAL }),
            },
          ],
          { expectedVersion: 0 },
        ),
      ),
    );
  }
  await clientCommand({ type: 'subscribe', path, runs }, 'subscribed');
  gatewayWorker!.postMessage({ type: 'reset-loop-delay' });
  await until(`${RUNS} readers on the log stream`, async () => (await consumerCount()) === RUNS);
  const startAt = performance.now() + 50;
  // Runs start a little apart, as agents do, rather than all on the same millisecond.
  await Promise.all(runs.map((run, i) => publishRun(run, startAt + (i * 1000) / LINES_PER_S / RUNS, lines)));
  const publishSeconds = (performance.now() - startAt) / 1000;
  const { stats } = await clientCommand({ type: 'finish', expectedPerRun: lines, timeoutMs: 15_000 }, 'finished');
  const delay = started<{ p99Ms: number }>(gatewayWorker!, 'loop-delay');
  gatewayWorker!.postMessage({ type: 'loop-delay' });
  const gatewayLoopDelayP99Ms = (await delay).p99Ms;
  await until('the readers to release their consumers', async () => (await consumerCount()) === 0);
  return { ...stats, publishSeconds, gatewayLoopDelayP99Ms };
}

function quantile(values: number[], q: number): number {
  const sorted = Float64Array.from(values).sort();
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
}
const median = (values: number[]) => quantile(values, 0.5);
const round2 = (n: number) => Math.round(n * 100) / 100;

try {
  console.log(`logs bench on ${url}: ${RUNS} runs × ${LINES_PER_S} lines/s for ${SECONDS} s, ${ROUNDS} rounds${quick ? ' (quick)' : ''}`);
  assertCanonical();
  await ensureEventStream(jsm, tp);
  await ensureMessagingStreams(jsm, tp, { logs: { maxBytes: 256 * 1024 * 1024 }, dlq: { maxBytes: 16 * 1024 * 1024 } });
  const store = await JetStreamEventStore.create({ nc, topology: tp });

  gatewayWorker = startWorker('./gateway-worker.ts', { natsUrl: url, namespace: tp.namespace, token, databaseUrl: databaseUrl() });
  const { url: gatewayUrl, logFlushIntervalMs } = await started<{ url: string; logFlushIntervalMs: number }>(gatewayWorker, 'started');
  clientWorker = startWorker('./client-worker.ts', { natsUrl: url, namespace: tp.namespace, gatewayUrl, token });
  clientWorker.on('message', (message: ClientReply) => {
    if (message.type === 'error') console.error(`client: ${message.message}`);
  });

  // Warm-up: the first round measures the JIT and connection set-up, not the path.
  await round('gateway', 0, store, WARM_UP_LINES);
  await round('jetstream', 0, store, WARM_UP_LINES);

  const gateway = { p50: [] as number[], p99: [] as number[], max: [] as number[] };
  const baseline = { p50: [] as number[], p99: [] as number[] };
  let lost = 0;
  let duplicated = 0;
  let outOfOrder = 0;
  let received = 0;
  let payloads = 0;
  let largestPayload = 0;
  let publishRate = Infinity;
  const loopDelays: number[] = [];
  for (let r = 1; r <= ROUNDS; r++) {
    // Interleaved so drift in the machine's load hits both paths alike.
    const ours = await round('gateway', r, store);
    const raw = await round('jetstream', r, store);
    gateway.p50.push(quantile(ours.latenciesMs, 0.5));
    gateway.p99.push(quantile(ours.latenciesMs, 0.99));
    gateway.max.push(quantile(ours.latenciesMs, 1));
    baseline.p50.push(quantile(raw.latenciesMs, 0.5));
    baseline.p99.push(quantile(raw.latenciesMs, 0.99));
    lost += ours.lost;
    duplicated += ours.duplicated;
    outOfOrder += ours.outOfOrder;
    received += ours.received;
    payloads += ours.payloads;
    largestPayload = Math.max(largestPayload, ours.largestPayload);
    loopDelays.push(ours.gatewayLoopDelayP99Ms);
    publishRate = Math.min(publishRate, (RUNS * LINES) / ours.publishSeconds);
    console.log(
      `round ${r}: gateway p50 ${round2(gateway.p50.at(-1)!)} ms p99 ${round2(gateway.p99.at(-1)!)} ms ` +
        `(lost ${ours.lost}, dup ${ours.duplicated}, out of order ${ours.outOfOrder}; ${round2(ours.received / ours.payloads)} lines per message, ` +
        `at most ${ours.largestPayload}; gateway event loop delay p99 ${round2(ours.gatewayLoopDelayP99Ms)} ms); ` +
        `JetStream direct p50 ${round2(baseline.p50.at(-1)!)} ms p99 ${round2(baseline.p99.at(-1)!)} ms (lost ${raw.lost})`,
    );
  }
  const result = {
    name: 'logs',
    nats_version: nc.info?.version,
    runs: RUNS,
    lines_per_s_per_run: LINES_PER_S,
    seconds: SECONDS,
    rounds: ROUNDS,
    lines_received: received,
    // taskLogs sends lines in chunks: what piled up while the previous chunk was being sent.
    gateway_messages_received: payloads,
    gateway_lines_per_message: round2(received / payloads),
    gateway_largest_message_lines: largestPayload,
    // GATEWAY_LOG_FLUSH_MS: least time between two payloads of one subscription.
    gateway_log_flush_ms: logFlushIntervalMs,
    target_publish_rate_lines_per_s: RUNS * LINES_PER_S,
    // Below the target when the server acknowledges publishes more slowly than agents would write.
    min_publish_rate_lines_per_s: Math.round(publishRate),
    p50_ms: round2(median(gateway.p50)),
    p99_ms: round2(median(gateway.p99)),
    max_ms: round2(median(gateway.max)),
    lost,
    duplicated,
    out_of_order: outOfOrder,
    baseline: 'ordered JetStream consumer per run, no gateway',
    baseline_p50_ms: round2(median(baseline.p50)),
    baseline_p99_ms: round2(median(baseline.p99)),
    ratio_p50: round2(median(gateway.p50) / median(baseline.p50)),
    ratio_p99: round2(median(gateway.p99) / median(baseline.p99)),
    // How late the gateway's thread ran ready work: high values mean the machine, not the path, set the latency.
    gateway_event_loop_delay_p99_ms: round2(median(loopDelays)),
    target_p99_ms: TARGET_P99_MS,
    target_met: median(gateway.p99) < TARGET_P99_MS && lost + duplicated + outOfOrder === 0,
  };
  console.log(`median gateway latency: p50 ${result.p50_ms} ms, p99 ${result.p99_ms} ms (target p99 < ${TARGET_P99_MS} ms)`);
  console.log(`median JetStream-direct latency: p50 ${result.baseline_p50_ms} ms, p99 ${result.baseline_p99_ms} ms`);
  console.log(JSON.stringify(result));
} finally {
  clientWorker?.postMessage({ type: 'exit' });
  if (gatewayWorker) {
    const stopped = started(gatewayWorker, 'stopped').catch(() => undefined);
    gatewayWorker.postMessage({ type: 'stop' });
    await Promise.race([stopped, sleep(5_000)]);
  }
  await clientWorker?.terminate();
  await gatewayWorker?.terminate();
  await deleteNamespace(nc, tp);
  await nc.close();
}
