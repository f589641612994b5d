/**
 * The reading thread's entry point (see ReaderThread): reads the events
 * streams of the feeds it is asked to open, over a NATS connection of its
 * own, decodes the events, makes their timeline rows and posts them in
 * batches, so the projector's thread mostly folds and writes.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { BatchedReading } from './batched-reading.js';
import { decodeAndPack, packedTransferables } from './feed-transfer.js';
import type { FromReader, ReaderThreadData, ToReader } from './reader-protocol.js';

const port = parentPort!;
const { servers, name } = workerData as ReaderThreadData;
const post = (message: FromReader, transfer?: ArrayBuffer[]) => port.postMessage(message, transfer);
const feeds = new Map<number, BatchedReading>();

function open(nc: NatsConnection, message: Extract<ToReader, { type: 'open' }>): void {
  const { feed } = message;
  const reading = new BatchedReading(nc, message, (raw) => {
    const packed = decodeAndPack(raw);
    post({ type: 'events', feed, packed }, packedTransferables(packed));
  });
  feeds.set(feed, reading);
  reading.done
    .then(() => post({ type: 'closed', feed }))
    .catch((error: unknown) => post({ type: 'failed', feed, message: describe(error) }))
    .finally(() => feeds.delete(feed));
}

async function serve(): Promise<void> {
  let nc: NatsConnection;
  try {
    // Retries for as long as the projector does: a NATS outage pauses the feeds, it does not end them.
    nc = await connect({ servers: [...servers], name, maxReconnectAttempts: -1 });
  } catch (error) {
    post({ type: 'down', message: `the reading thread could not connect to NATS: ${describe(error)}` });
    port.close();
    return;
  }
  void nc.closed().then((error) => {
    post({ type: 'down', message: `the reading thread's NATS connection closed${error ? `: ${error.message}` : ''}` });
    port.close();
  });
  port.on('message', (message: ToReader) => {
    switch (message.type) {
      case 'open':
        open(nc, message);
        break;
      case 'taken':
        feeds.get(message.feed)?.taken(message.count);
        break;
      case 'close': {
        const reading = feeds.get(message.feed);
        if (reading) void reading.close();
        else post({ type: 'closed', feed: message.feed });
        break;
      }
    }
  });
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

await serve();
