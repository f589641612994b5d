/**
 * Per-event cost of decoding the benchmark's events (no NATS, no Postgres):
 * `node --conditions=cohort-source --import tsx tools/bench/projection/decode.ts`.
 */
import { randomUUID } from 'node:crypto';
import { decodeEnvelope, encodeEnvelope, type Envelope } from '@cohort/contracts';
import { LIFECYCLES, repoHistory, taskHistory, ticker } from '../../../libs/projections/test/sample-lifecycles.js';

const COUNT = 20_000;
const at = ticker(new Date('2026-01-01T00:00:00Z'), 1_500);
const encoded: Uint8Array[] = [];
const histories = [repoHistory('repo-0', at)];
for (let t = 0; histories.reduce((n, h) => n + h.events.length, 0) < COUNT; t++) {
  histories.push(taskHistory(`task-${t}`, 'repo-0', t % 10 < 4 ? 'merged' : LIFECYCLES[t % LIFECYCLES.length]!, at));
}
for (const { aggregate, events } of histories) {
  for (const [v, event] of events.entries()) {
    const envelope = {
      ...event,
      aggregateType: aggregate.type,
      aggregateId: aggregate.id,
      version: v + 1,
      correlationId: randomUUID(),
      causationId: '',
      traceparent: '',
    } as Envelope;
    encoded.push(encodeEnvelope(envelope));
  }
}
const bytes = encoded.reduce((n, e) => n + e.length, 0);
for (let round = 0; round < 5; round++) {
  const started = performance.now();
  let ok = 0;
  for (const e of encoded) if (decodeEnvelope(e).ok) ok++;
  const ms = performance.now() - started;
  console.log(
    `decodeEnvelope: ${encoded.length} events (${Math.round(bytes / encoded.length)} B avg), ${((ms * 1000) / encoded.length).toFixed(1)} µs/event, ${ok} ok`,
  );
}
