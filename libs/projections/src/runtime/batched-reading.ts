import { DeliverPolicy, jetstream, type ConsumerMessages } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/transport-node';
import type { FeedStart } from './feed-reader.js';
import { RawEventsWriter, type RawEvents } from './raw-events.js';

/** Messages are handed over once this many wait, or once the messages at hand are read. */
const HAND_OVER_AT = 200;

/**
 * Reads the events stream in log order through an ordered consumer and hands
 * the messages over undecoded, in batches: a whole batch while catching up,
 * one message at a time when they trickle in. At most a bufferful is handed
 * over and not yet taken; reading pauses until some is. Between batches I/O
 * gets a turn, so reading on the projector's thread does not hold up the
 * Postgres replies a batch being written waits for.
 */
export class BatchedReading {
  private readonly pending = new RawEventsWriter();
  private handing = false;
  private inFlight = 0;
  private closed = false;
  private wake: (() => void) | undefined;
  private messages: ConsumerMessages | undefined;
  /** Settles when reading ended: closed (resolves) or failed (rejects). */
  readonly done: Promise<void>;

  constructor(
    nc: NatsConnection,
    private readonly start: FeedStart,
    private readonly handOver: (raw: RawEvents) => void,
  ) {
    this.done = this.read(nc);
  }

  /** `count` of the messages handed over were taken: room for that many more. */
  taken(count: number): void {
    this.inFlight -= count;
    this.wakeUp();
  }

  async close(): Promise<void> {
    this.closed = true;
    this.wakeUp();
    await this.messages?.close().catch(() => undefined);
    await this.done.catch(() => undefined);
  }

  private async read(nc: NatsConnection): Promise<void> {
    const { stream, subjects } = this.start;
    const consumer = await jetstream(nc).consumers.get(stream, {
      filter_subjects: subjects,
      deliver_policy: DeliverPolicy.StartSequence,
      opt_start_seq: this.start.fromPosition + 1,
    });
    try {
      if (this.closed) return;
      this.messages = await consumer.consume({ max_messages: 2000 });
      for await (const m of this.messages) {
        if (this.closed) break;
        this.pending.add(m.seq, m.data, m.subject);
        if (this.pending.count >= HAND_OVER_AT) {
          this.handOverPending();
          // The rest of this pull waits for a turn of the event loop (see above).
          await new Promise((resolve) => setImmediate(resolve));
        } else if (!this.handing) {
          this.handing = true;
          setImmediate(() => this.handOverPending());
        }
        while (this.inFlight + this.pending.count >= this.start.bufferSize && !this.closed) {
          this.handOverPending();
          await new Promise<void>((resolve) => (this.wake = resolve));
        }
      }
      if (!this.closed) throw new Error(`reading ${stream} stopped unexpectedly`);
    } finally {
      consumer.delete().catch(() => undefined);
    }
  }

  private handOverPending(): void {
    this.handing = false;
    if (this.pending.count === 0 || this.closed) return;
    this.inFlight += this.pending.count;
    this.handOver(this.pending.take());
  }

  private wakeUp(): void {
    const wake = this.wake;
    this.wake = undefined;
    wake?.();
  }
}
