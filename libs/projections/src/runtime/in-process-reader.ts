import type { NatsConnection } from '@nats-io/transport-node';
import { BatchedReading } from './batched-reading.js';
import type { FeedReader, FeedSink, FeedStart } from './feed-reader.js';

/** Reads on the calling thread, through the connection it is given. */
export class InProcessReader implements FeedReader {
  private readonly reading: BatchedReading;

  constructor(nc: NatsConnection, start: FeedStart, sink: FeedSink) {
    this.reading = new BatchedReading(nc, start, (raw) => sink.deliver(raw));
    this.reading.done.catch((error: unknown) => sink.fail(error));
  }

  taken(count: number): void {
    this.reading.taken(count);
  }

  close(): Promise<void> {
    return this.reading.close();
  }
}
