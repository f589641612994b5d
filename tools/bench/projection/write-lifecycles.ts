import { randomUUID } from 'node:crypto';
import type { JetStreamClient, JetStreamManager } from '@nats-io/jetstream';
import { encodeEnvelope, type Envelope, type Topology } from '@cohort/contracts';
import { ensureEventStream } from '@cohort/eventstore';
import { LIFECYCLES, repoHistory, taskHistory, ticker, type AggregateHistory } from '../../../libs/projections/test/sample-lifecycles.js';

const REPOS = 20;

/**
 * Writes `count` events of whole task lifecycles (plus a few repos) to the
 * namespace's events stream; returns the last position. Pipelined: order
 * within an aggregate holds because one connection publishes in order.
 */
export async function writeLifecycles(jsm: JetStreamManager, js: JetStreamClient, tp: Topology, count: number): Promise<number> {
  await ensureEventStream(jsm, tp);
  const at = ticker(new Date('2026-01-01T00:00:00Z'), 1_500);
  const histories: AggregateHistory[] = Array.from({ length: REPOS }, (_, r) => repoHistory(`repo-${r}`, at));
  let total = histories.reduce((n, h) => n + h.events.length, 0);
  for (let t = 0; total < count; t++) {
    // Most tasks merge; some need a CI fix, fail, wait for attention, run standalone or are still running.
    const lifecycle = t % 10 < 4 ? 'merged' : LIFECYCLES[t % LIFECYCLES.length]!;
    const history = taskHistory(`task-${t}`, `repo-${t % REPOS}`, lifecycle, at);
    const room = count - total;
    if (history.events.length > room) history.events.splice(room);
    histories.push(history);
    total += history.events.length;
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
