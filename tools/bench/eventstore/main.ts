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
const js = jetstream(nc);

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

async function freshStream(): Promise<void> {
  await deleteNamespace(nc, tp);
  await ensureEventStream(jsm, tp);
}

async function rawRound(): Promise<number> {
  await freshStream();
  const messages = Array.from({ length: EVENTS }, (_, i) => ({ subject: tp.event('task', `raw-${i % SUBJECTS}`), msgID: randomUUID() }));
  const started = performance.now();
  const pending: Promise<unknown>[] = [];
  for (const { subject, msgID } of messages) pending.push(js.publish(subject, samplePayload, { msgID }));
  await Promise.all(pending);
  return EVENTS / ((performance.now() - started) / 1000);
}

/** Raw publishes that carry the expected-sequence check, sequential per subject: what concurrency control costs the server. */
async function rawExpectRound(): Promise<number> {
  await freshStream();
  const perSubject = EVENTS / SUBJECTS;
  const ids = Array.from({ length: SUBJECTS }, () => Array.from({ length: perSubject }, () => randomUUID()));
  const started = performance.now();
  await Promise.all(
    ids.map(async (msgIDs, s) => {
      const subject = tp.event('task', `expect-${s}`);
      let seq = 0;
      for (const msgID of msgIDs) seq = (await js.publish(subject, samplePayload, { msgID, expect: { lastSubjectSequence: seq } })).seq;
    }),
  );
  return EVENTS / ((performance.now() - started) / 1000);
}

async function oursRound(): Promise<number> {
  await freshStream();
  const store = await JetStreamEventStore.create({ nc, topology: tp });
  const perAggregate = EVENTS / SUBJECTS;
  // Building events is the caller's work, as building the payload is on the raw side.
  const work = Array.from({ length: SUBJECTS }, (_, a) => ({
    aggregate: { type: 'task', id: `ours-${a}` } satisfies AggregateRef,
    events: Array.from({ length: perAggregate }, (_, v) => event(v)),
  }));
  const started = performance.now();
  // Sequential per aggregate (each append expects the previous version), concurrent across aggregates.
  await Promise.all(
    work.map(async ({ aggregate, events }) => {
      for (const [v, e] of events.entries()) await store.append(aggregate, [e], { expectedVersion: v });
    }),
  );
  return EVENTS / ((performance.now() - started) / 1000);
}

async function latencyRound(): Promise<number[]> {
  await freshStream();
  const store = await JetStreamEventStore.create({ nc, topology: tp });
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
  const raw: number[] = [];
  const rawExpect: number[] = [];
  const ours: number[] = [];
  for (let r = 1; r <= ROUNDS; r++) {
    // Interleaved so drift in the machine's load hits every side alike.
    raw.push(await rawRound());
    rawExpect.push(await rawExpectRound());
    ours.push(await oursRound());
    console.log(
      `round ${r}: raw ${Math.round(raw.at(-1)!)} msg/s, raw+expect ${Math.round(rawExpect.at(-1)!)} msg/s, ours ${Math.round(ours.at(-1)!)} appends/s`,
    );
  }
  const latency = await latencyRound();
  const rawMedian = median(raw);
  const rawExpectMedian = median(rawExpect);
  const oursMedian = median(ours);
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
    p50_ms: round2(quantile(latency, 0.5)),
    p99_ms: round2(quantile(latency, 0.99)),
    latency_samples: latency.length,
  };
  console.log(`median raw JetStream publish: ${result.raw_msgs_per_s} msg/s`);
  console.log(`median raw publish with expected sequence, sequential per subject: ${result.raw_expect_msgs_per_s} msg/s`);
  console.log(
    `median EventStore.append:     ${result.ours_appends_per_s} appends/s (ratio ${result.ratio}; ${result.ratio_vs_raw_expect} of raw+expect)`,
  );
  console.log(`single-aggregate append latency: p50 ${result.p50_ms} ms, p99 ${result.p99_ms} ms`);
  console.log(JSON.stringify(result));
} finally {
  await deleteNamespace(nc, tp);
  await nc.close();
}
