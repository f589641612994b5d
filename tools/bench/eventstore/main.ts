/**
 * Event store throughput against raw JetStream publishing, on one server in
 * one run. `--quick` keeps it under a minute; NATS_URL picks the server.
 */
import { randomUUID } from 'node:crypto';
import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import { create, encodeEnvelope, topology, TaskPriorityChangedSchema, type NewEvent } from '@cohort/contracts';
import { deleteNamespace } from '@cohort/testing';
import { connectEventLog, ensureEventStream, JetStreamEventStore, type AggregateRef } from '@cohort/eventstore';

const quick = process.argv.includes('--quick');
const ROUNDS = 5;
const EVENTS = quick ? 10_000 : 50_000;
const SUBJECTS = 1_000;
const LATENCY_SAMPLES = quick ? 500 : 2_000;
const url = process.env.NATS_URL ?? 'nats://127.0.0.1:4222';

// Both sides share the connection services would use for the event log.
const nc = await connectEventLog({ servers: url, name: 'bench-eventstore' });
const tp = topology(`bench_${randomUUID().replace(/-/g, '').slice(0, 10)}`);
const jsm = await jetstreamManager(nc);
// A full round queues 50,000 publishes at once; on a busy machine the last wait longer than
// the 5 s default for their ack. The deadline changes nothing on the measured path.
const TIMEOUT_MS = 120_000;
const js = jetstream(nc, { timeout: TIMEOUT_MS });

function event(priority: number): NewEvent {
  return { id: randomUUID(), type: 'TaskPriorityChanged', data: create(TaskPriorityChangedSchema, { priority, by: 'bench' }) };
}

// The raw baseline publishes bytes the size of a real envelope, so both sides move the same data.
const samplePayload = encodeEnvelope({
  ...event(1),
  aggregateType: 'task',
  aggregateId: 'bench-000',
  version: 1,
  occurredAt: new Date().toISOString(),
  correlationId: randomUUID(),
  causationId: randomUUID(),
  traceparent: '',
} as never);

interface Round {
  readonly perSecond: number;
  /** This process's CPU time per message, which the shared machine's load hardly moves. */
  readonly cpuUsPerOp: number;
}

/** Times `run` for EVENTS operations, in wall-clock rate and client CPU. */
async function measure(run: () => Promise<unknown>): Promise<Round> {
  const cpu = process.cpuUsage();
  const started = performance.now();
  await run();
  const elapsed = performance.now() - started;
  const used = process.cpuUsage(cpu);
  return { perSecond: EVENTS / (elapsed / 1000), cpuUsPerOp: (used.user + used.system) / EVENTS };
}

async function freshStream(): Promise<void> {
  await deleteNamespace(nc, tp);
  await ensureEventStream(jsm, tp);
}

async function rawRound(): Promise<Round> {
  await freshStream();
  const messages = Array.from({ length: EVENTS }, (_, i) => ({ subject: tp.event('task', `raw-${i % SUBJECTS}`), msgID: randomUUID() }));
  return measure(() => {
    const pending: Promise<unknown>[] = [];
    for (const { subject, msgID } of messages) pending.push(js.publish(subject, samplePayload, { msgID }));
    return Promise.all(pending);
  });
}

/** Raw publishes that carry the expected-sequence check, sequential per subject: what concurrency control costs the server. */
async function rawExpectRound(): Promise<Round> {
  await freshStream();
  const perSubject = EVENTS / SUBJECTS;
  const ids = Array.from({ length: SUBJECTS }, () => Array.from({ length: perSubject }, () => randomUUID()));
  return measure(() =>
    Promise.all(
      ids.map(async (msgIDs, s) => {
        const subject = tp.event('task', `expect-${s}`);
        let seq = 0;
        for (const msgID of msgIDs) seq = (await js.publish(subject, samplePayload, { msgID, expect: { lastSubjectSequence: seq } })).seq;
      }),
    ),
  );
}

async function oursRound(): Promise<Round> {
  await freshStream();
  const store = await JetStreamEventStore.create({ nc, topology: tp, timeoutMs: TIMEOUT_MS });
  const perAggregate = EVENTS / SUBJECTS;
  // Building events is the caller's work, as building the payload is on the raw side.
  const work = Array.from({ length: SUBJECTS }, (_, a) => ({
    aggregate: { type: 'task', id: `ours-${a}` } satisfies AggregateRef,
    events: Array.from({ length: perAggregate }, (_, v) => event(v)),
  }));
  // Sequential per aggregate (each append expects the previous version), concurrent across aggregates.
  return measure(() =>
    Promise.all(
      work.map(async ({ aggregate, events }) => {
        for (const [v, e] of events.entries()) await store.append(aggregate, [e], { expectedVersion: v });
      }),
    ),
  );
}

async function latencyRound(): Promise<number[]> {
  await freshStream();
  const store = await JetStreamEventStore.create({ nc, topology: tp, timeoutMs: TIMEOUT_MS });
  const aggregate: AggregateRef = { type: 'task', id: 'latency' };
  const samples: number[] = [];
  for (let v = 0; v < LATENCY_SAMPLES; v++) {
    const started = performance.now();
    await store.append(aggregate, [event(v)], { expectedVersion: v });
    samples.push(performance.now() - started);
  }
  return samples;
}

const median = (values: number[]) => quantile(values, 0.5);
function quantile(values: number[], q: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
}
const round2 = (n: number) => Math.round(n * 100) / 100;

try {
  console.log(`eventstore bench on ${url}: ${EVENTS} events over ${SUBJECTS} aggregates, ${ROUNDS} rounds${quick ? ' (quick)' : ''}`);
  // Warm-up: the first rounds measure the JIT, not the store.
  for (let w = 0; w < 2; w++) {
    await rawRound();
    await rawExpectRound();
    await oursRound();
  }
  const raw: Round[] = [];
  const rawExpect: Round[] = [];
  const ours: Round[] = [];
  for (let r = 1; r <= ROUNDS; r++) {
    // Interleaved so drift in the machine's load hits every side alike.
    raw.push(await rawRound());
    rawExpect.push(await rawExpectRound());
    ours.push(await oursRound());
    const show = (round: Round, unit: string) => `${Math.round(round.perSecond)} ${unit}/s (${round.cpuUsPerOp.toFixed(1)} µs CPU each)`;
    console.log(
      `round ${r}: raw ${show(raw.at(-1)!, 'msg')}, raw+expect ${show(rawExpect.at(-1)!, 'msg')}, ours ${show(ours.at(-1)!, 'appends')}`,
    );
  }
  const latency = await latencyRound();
  const rates = (rounds: Round[]) => rounds.map((round) => round.perSecond);
  const cpu = (rounds: Round[]) => Math.round(median(rounds.map((round) => round.cpuUsPerOp)) * 10) / 10;
  const rawMedian = median(rates(raw));
  const rawExpectMedian = median(rates(rawExpect));
  const oursMedian = median(rates(ours));
  const result = {
    name: 'eventstore',
    nats_version: nc.info?.version,
    events: EVENTS,
    aggregates: SUBJECTS,
    rounds: ROUNDS,
    raw_msgs_per_s: Math.round(rawMedian),
    raw_expect_msgs_per_s: Math.round(rawExpectMedian),
    ours_appends_per_s: Math.round(oursMedian),
    ratio: Math.round((oursMedian / rawMedian) * 1000) / 1000,
    ratio_vs_raw_expect: Math.round((oursMedian / rawExpectMedian) * 1000) / 1000,
    // Median of the per-round ratios too: each round's sides ran back to back, under the same machine load.
    ratio_per_round_median: Math.round(median(ours.map((round, i) => round.perSecond / raw[i]!.perSecond)) * 1000) / 1000,
    raw_cpu_us_per_msg: cpu(raw),
    raw_expect_cpu_us_per_msg: cpu(rawExpect),
    ours_cpu_us_per_append: cpu(ours),
    p50_ms: round2(quantile(latency, 0.5)),
    p99_ms: round2(quantile(latency, 0.99)),
    latency_samples: latency.length,
  };
  console.log(`median raw JetStream publish: ${result.raw_msgs_per_s} msg/s, ${result.raw_cpu_us_per_msg} µs client CPU each`);
  console.log(
    `median raw publish with expected sequence, sequential per subject: ${result.raw_expect_msgs_per_s} msg/s, ${result.raw_expect_cpu_us_per_msg} µs client CPU each`,
  );
  console.log(
    `median EventStore.append:     ${result.ours_appends_per_s} appends/s, ${result.ours_cpu_us_per_append} µs client CPU each (ratio ${result.ratio}; ${result.ratio_vs_raw_expect} of raw+expect)`,
  );
  console.log(`single-aggregate append latency: p50 ${result.p50_ms} ms, p99 ${result.p99_ms} ms`);
  console.log(JSON.stringify(result));
} finally {
  await deleteNamespace(nc, tp);
  await nc.close();
}
