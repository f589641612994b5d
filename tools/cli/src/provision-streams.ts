import { jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import { topology } from '@cohort/contracts';
import { ensureEventStream } from '@cohort/eventstore';
import { ensureMessagingStreams } from '@cohort/messaging';

/** Creates or updates every stream of the namespace; returns their names. */
export async function provisionStreams(natsUrl: string, namespace: string): Promise<string[]> {
  const nc = await connect({ servers: natsUrl, name: 'cohort-up' });
  try {
    const tp = topology(namespace);
    const jsm = await jetstreamManager(nc);
    await ensureEventStream(jsm, tp);
    await ensureMessagingStreams(jsm, tp);
    return [tp.streams.events, tp.streams.inbox, tp.streams.logs, tp.streams.dlq];
  } finally {
    await nc.close();
  }
}
