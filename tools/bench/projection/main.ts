/**
 * Projection rebuild throughput against the raw in-order read rate of the same
 * events stream, in one run: realistic task lifecycles are written to a fresh
 * namespace; each round reads the whole stream with an ordered consumer (raw
 * rate), starts a projector on a fresh database and lets it catch up (catch-up
 * rate, reported for reference), then rebuilds every projection into a new
 * generation with `Projector.rebuild()` (rebuild rate). The projector reads
 * in a thread of its own, as the service does. `--quick` keeps it under a
 * minute; NATS_URL and DATABASE_URL pick the servers.
 */
import { randomUUID } from 'node:crypto';
import { DeliverPolicy, jetstream, jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import { topology } from '@cohort/contracts';
import { Projector } from '@cohort/projections';
import { createTestDatabase, deleteNamespace } from '@cohort/testing';
import { writeLifecycles } from './write-lifecycles.js';

const quick = process.argv.includes('--quick');
const EVENTS = quick ? 20_000 : 100_000;
const ROUNDS = 5;
const url = process.env.NATS_URL ?? 'nats://127.0.0.1:4222';

const nc = await connect({ servers: url, name: 'bench-projection' });
const tp = topology(`bench_${randomUUID().replace(/-/g, '').slice(0, 10)}`);
const js = jetstream(nc);

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

/** Catch-up of a projector started on an empty database, then a rebuild of what it built; events/s of each. */
async function projectionRound(last: number): Promise<{ catchUp: number; rebuild: number; busy: number }> {
  const db = await createTestDatabase('benchproj');
  const projector = new Projector({ nc, topology: tp, databaseUrl: db.url, natsServers: [url] });
  try {
    const reached = new Promise<void>((resolve) => {
      projector.onCommitted((n) => {
        if (n.position >= last) resolve();
      });
    });
    let started = performance.now();
    await projector.start();
    await reached;
    const catchUp = last / ((performance.now() - started) / 1000);
    started = performance.now();
    const cpu0 = process.cpuUsage();
    const { done } = await projector.rebuild();
    await done;
    const rebuild = last / ((performance.now() - started) / 1000);
    const cpu = process.cpuUsage(cpu0);
    // Cores this process kept busy during the rebuild (its threads together; the rest of the machine is Postgres and NATS).
    const busy = (cpu.user + cpu.system) / 1000 / (performance.now() - started);
    return { catchUp, rebuild, busy };
  } finally {
    await projector.stop();
    await db.dispose();
  }
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

try {
  console.log(`projection bench on ${url}: ${EVENTS} events of task lifecycles, ${ROUNDS} rounds${quick ? ' (quick)' : ''}`);
  const writeStarted = performance.now();
  const last = await writeLifecycles(await jetstreamManager(nc), js, tp, EVENTS);
  console.log(`wrote ${last} events in ${Math.round(performance.now() - writeStarted)} ms`);
  await rawReadRound(last); // warm-up: JIT and server caches
  const raw: number[] = [];
  const catchUp: number[] = [];
  const rebuild: number[] = [];
  for (let r = 1; r <= ROUNDS; r++) {
    // Interleaved so drift in the machine's load hits both sides alike.
    raw.push(await rawReadRound(last));
    const round = await projectionRound(last);
    catchUp.push(round.catchUp);
    rebuild.push(round.rebuild);
    console.log(
      `round ${r}: raw read ${Math.round(raw.at(-1)!)} events/s, catch-up ${Math.round(round.catchUp)} events/s, rebuild ${Math.round(round.rebuild)} events/s (projector process used ${round.busy.toFixed(2)} cores)`,
    );
  }
  const rawMedian = median(raw);
  const rebuildMedian = median(rebuild);
  const result = {
    name: 'projection',
    events: last,
    rounds: ROUNDS,
    raw_events_per_s: Math.round(rawMedian),
    rebuild_events_per_s: Math.round(rebuildMedian),
    catch_up_events_per_s: Math.round(median(catchUp)),
    ratio: Math.round((rebuildMedian / rawMedian) * 1000) / 1000,
  };
  console.log(`median raw ordered read: ${result.raw_events_per_s} events/s`);
  console.log(`median catch-up:         ${result.catch_up_events_per_s} events/s (first start on an empty database)`);
  console.log(`median rebuild:          ${result.rebuild_events_per_s} events/s (ratio ${result.ratio})`);
  console.log(JSON.stringify(result));
} finally {
  await deleteNamespace(nc, tp);
  await nc.close();
}
