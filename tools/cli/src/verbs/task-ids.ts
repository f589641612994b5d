import { DeliverPolicy } from '@nats-io/jetstream';
import { jetstream } from '@nats-io/jetstream';
import type { Session } from './session.js';

/**
 * Every task id in the log, oldest first, read from the TaskCreated subjects.
 * The read side's projections answer this faster; this works with NATS alone.
 */
export async function listTaskIds(session: Session): Promise<string[]> {
  const js = jetstream(session.nc);
  const consumer = await js.consumers.get(session.topology.streams.events, {
    filter_subjects: session.topology.eventsOf('task'),
    deliver_policy: DeliverPolicy.All,
    headers_only: true,
  });
  const ids = new Set<string>();
  const prefix = session.topology.eventsOf('task').slice(0, -1);
  const messages = await consumer.fetch({ max_messages: 100_000, expires: 2000 });
  for await (const message of messages) {
    ids.add(message.subject.slice(prefix.length));
    if (message.info.pending === 0) break;
  }
  return [...ids];
}
