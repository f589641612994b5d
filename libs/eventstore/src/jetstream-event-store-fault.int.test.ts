import { describe, expect, it } from 'vitest';
import { jetstreamManager } from '@nats-io/jetstream';
import { topology } from '@cohort/contracts';
import { NatsServerProcess, uniqueNamespace } from '@cohort/testing';
import type { AggregateRef } from './event-store.js';
import { connectEventLog } from './jetstream/connect-event-log.js';
import { ensureEventStream } from './jetstream/ensure-event-stream.js';
import { JetStreamEventStore } from './jetstream/jetstream-event-store.js';
import { StoreUnavailable } from './store-unavailable.js';
import { freshTask, priorityChanged } from './testing/sample-events.js';

const AGGREGATES = 8;
const EVENTS_EACH = 60;

describe('JetStreamEventStore when the server is killed mid-burst', () => {
  it('keeps every acknowledged append and writes again once the server is back', async () => {
    await using server = await NatsServerProcess.start();
    const nc = await connectEventLog({ servers: server.url, name: 'fault-writer' });
    try {
      const tp = topology(uniqueNamespace('esfault'));
      await ensureEventStream(await jetstreamManager(nc), tp);
      const store = await JetStreamEventStore.create({ nc, topology: tp, timeoutMs: 1_000 });

      const acknowledged = new Map<string, { aggregate: AggregateRef; ids: string[] }>();
      let unavailable = 0;
      let acks = 0;
      let killed: Promise<void> | undefined;

      async function writer(aggregate: AggregateRef): Promise<void> {
        const ids: string[] = [];
        acknowledged.set(aggregate.id, { aggregate, ids });
        while (ids.length < EVENTS_EACH) {
          const event = priorityChanged(ids.length + 1);
          // A failed append has an unknown outcome: retry the same event id until it is acknowledged.
          for (;;) {
            try {
              await store.append(aggregate, [event], { expectedVersion: ids.length });
              break;
            } catch (error) {
              if (!(error instanceof StoreUnavailable)) throw error;
              unavailable++;
              await new Promise((resolve) => setTimeout(resolve, 100));
            }
          }
          ids.push(event.id);
          if (++acks === (AGGREGATES * EVENTS_EACH) / 3) killed = killAndRestart(server);
        }
      }

      await Promise.all(Array.from({ length: AGGREGATES }, (_, i) => writer(freshTask(`w${i}`))));
      await killed;

      expect(unavailable).toBeGreaterThan(0);
      for (const { aggregate, ids } of acknowledged.values()) {
        const { events, version } = await store.read(aggregate);
        expect(version).toBe(EVENTS_EACH);
        expect(events.map((e) => e.id)).toEqual(ids);
      }
      const after = freshTask('after');
      expect((await store.append(after, [priorityChanged(1)], { expectedVersion: 0 })).version).toBe(1);
      expect(nc.isClosed()).toBe(false);
    } finally {
      await nc.close();
    }
  }, 90_000);
});

async function killAndRestart(server: NatsServerProcess): Promise<void> {
  await server.kill();
  await new Promise((resolve) => setTimeout(resolve, 1_500));
  await server.restart();
}
