/**
 * Projection rebuild throughput against the raw in-order read rate of the same
 * events stream, in one run: realistic task lifecycles are written to a fresh
 * namespace, then each round reads the whole stream with an ordered consumer
 * and rebuilds every projection into a fresh database. `--quick` keeps it under
 * a minute; NATS_URL and DATABASE_URL pick the servers.
 */
import { randomUUID } from 'node:crypto';
import { DeliverPolicy, jetstream, jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import { encodeEnvelope, topology, type Envelope } from '@cohort/contracts';
import { ensureEventStream } from '@cohort/eventstore';
import { Projector } from '@cohort/projections';
import { createTestDatabase, deleteNamespace } from '@cohort/testing';
import { LIFECYCLES, repoHistory, taskHistory, ticker, type AggregateHistory } from '../../../libs/projections/test/sample-lifecycles.js';

const quick = process.argv.includes('--quick');
const EVENTS = quick ? 20_000 : 100_000;
const ROUNDS = 3;
const REPOS = 20;
const url = process.env.NATS_URL ?? 'nats://127.0.0.1:4222';

const nc = await connect({ servers: url, name: 'bench-projection' });
const tp = topology(`bench_${randomUUID().replace(/-/g, '').slice(0, 10)}`);
const jsm = await jetstreamManager(nc);
const js = jetstream(nc);

/** Writes whole histories, pipelined: order within an aggregate holds because one connection publishes in order. */
async function writeEvents(): Promise<number> {
  await ensureEventStream(jsm, tp);
  const at = ticker(new Date('2026-01-01T00:00:00Z'), 1_500);
  const histories: AggregateHistory[] = Array.from({ length: REPOS }, (_, r) => repoHistory(`repo-${r}`, at));
  let count = histories.reduce((n, h) => n + h.events.length, 0);
  for (let t = 0; count < EVENTS; t++) {
    // Most tasks merge; some need a CI fix, fail, wait for attention, run standalone or are still running.
    const lifecycle = t % 10 < 4 ? 'merged' : LIFECYCLES[t % LIFECYCLES.length]!;
    const history = taskHistory(`task-${t}`, `repo-${t % REPOS}`, lifecycle, at);
    const room = EVENTS - count;
    if (history.events.length > room) history.events.splice(room);
    histories.push(history);
    count += history.events.length;
  }
  let pending: Promise<unknown>[] = [];
  let last = 0;
  for (const { aggregate, events } of histories) {
    for (const [v, event] of events.entries()) {
      const envelope = {
        ...event,
        aggregateType: aggregate.type,
        aggregateId: aggregate.id,
        version: v + 1,
        occurredAt: event.occurredAt!,
        correlationId: randomUUID(),
        causationId: '',
        traceparent: '',
      } as Envelope;
      pending.push(js.publish(tp.event(aggregate.type, aggregate.id), encodeEnvelope(envelope), { msgID: envelope.id }));
      if (pending.length >= 2_000) {
        const acks = (await Promise.all(pending)) as { seq: number }[];
        last = Math.max(last, ...acks.map((a) => a.seq));
        pending = [];
      }
    }
  }
  const acks = (await Promise.all(pending)) as { seq: number }[];
  return Math.max(last, ...acks.map((a) => a.seq));
}

async function rawReadRound(last: number): Promise<number> {
  const consumer = await js.consumers.get(tp.streams.events, { filter_subjects: tp.allEvents, deliver_policy: DeliverPolicy.All });
  const started = performance.now();
  const messages = await consumer.consume({ max_messages: 2_000 });
  let count = 0;
  for await (const m of messages) {
    count++;
    if (m.seq >= last) break;
  }
  const seconds = (performance.now() - started) / 1000;
  await messages.close();
  await consumer.delete().catch(() => undefined);
  return count / seconds;
}

async function rebuildRound(last: number): Promise<number> {
  const db = await createTestDatabase('benchproj');
  const projector = new Projector({ nc, topology: tp, databaseUrl: db.url });
  try {
    const reached = new Promise<void>((resolve) => {
      projector.onCommitted((n) => {
        if (n.position >= last) resolve();
      });
    });
    const started = performance.now();
    await projector.start();
    await reached;
    return last / ((performance.now() - started) / 1000);
  } finally {
    await projector.stop();
    await db.dispose();
  }
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

try {
  console.log(`projection bench on ${url}: ${EVENTS} events of task lifecycles, ${ROUNDS} rounds${quick ? ' (quick)' : ''}`);
  const writeStarted = performance.now();
  const last = await writeEvents();
  console.log(`wrote ${last} events in ${Math.round(performance.now() - writeStarted)} ms`);
  await rawReadRound(last); // warm-up: JIT and server caches
  const raw: number[] = [];
  const rebuild: number[] = [];
  for (let r = 1; r <= ROUNDS; r++) {
    // Interleaved so drift in the machine's load hits both sides alike.
    raw.push(await rawReadRound(last));
    rebuild.push(await rebuildRound(last));
    console.log(`round ${r}: raw read ${Math.round(raw.at(-1)!)} events/s, rebuild ${Math.round(rebuild.at(-1)!)} events/s`);
  }
  const rawMedian = median(raw);
  const rebuildMedian = median(rebuild);
  const result = {
    name: 'projection',
    events: last,
    rounds: ROUNDS,
    raw_events_per_s: Math.round(rawMedian),
    rebuild_events_per_s: Math.round(rebuildMedian),
    ratio: Math.round((rebuildMedian / rawMedian) * 1000) / 1000,
  };
  console.log(`median raw ordered read: ${result.raw_events_per_s} events/s`);
  console.log(`median rebuild:          ${result.rebuild_events_per_s} events/s (ratio ${result.ratio})`);
  console.log(JSON.stringify(result));
} finally {
  await deleteNamespace(nc, tp);
  await nc.close();
}
