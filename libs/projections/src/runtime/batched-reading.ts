import { DeliverPolicy, jetstream, type ConsumerMessages } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/transport-node';
import type { FeedStart } from './feed-reader.js';
import { RawEventsWriter, type RawEvents } from './raw-events.js';

/** Messages are handed over once this many wait, or once the messages at hand are read. */
const HAND_OVER_AT = 200;

/**
 * Reads the events stream in log order through an ordered consumer and hands
 * the messages over undecoded, in batches: a whole batch while catching up,
 * one message at a time when they trickle in. Messages arrive through the
 * consumer's callback, a socket read's worth at a time (an async iterator
 * costs a promise per message); I/O gets a turn between reads, so reading on
 * the projector's thread does not hold up the Postgres replies a batch being
 * written waits for.
 *
 * At most a bufferful is handed over and not yet taken. When it is full the
 * consumer is closed, and anything it still delivers is left; once some is
 * taken, a new consumer starts after the last message kept.
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
    if (!this.full()) this.wakeUp();
  }

  async close(): Promise<void> {
    this.closed = true;
    this.wakeUp();
    await this.messages?.close().catch(() => undefined);
    await this.done.catch(() => undefined);
  }

  private async read(nc: NatsConnection): Promise<void> {
    let next = this.start.fromPosition + 1;
    while (!this.closed) {
      const outcome = await this.readFrom(nc, next, (position) => (next = position + 1));
      if (outcome === 'ended' && !this.closed) throw new Error(`reading ${this.start.stream} stopped unexpectedly`);
      while (this.full() && !this.closed) await new Promise<void>((resolve) => (this.wake = resolve));
    }
  }

  /** Reads through one consumer from `position` until the buffer is full, reading is closed, or the consumer ends. */
  private async readFrom(nc: NatsConnection, position: number, kept: (position: number) => void): Promise<'full' | 'ended'> {
    const { stream, subjects } = this.start;
    const consumer = await jetstream(nc).consumers.get(stream, {
      filter_subjects: subjects,
      deliver_policy: DeliverPolicy.StartSequence,
      opt_start_seq: position,
    });
    try {
      if (this.closed) return 'ended';
      let stop!: (outcome: 'full' | 'ended') => void;
      const stopped = new Promise<'full' | 'ended'>((resolve) => (stop = resolve));
      let reading = true;
      const messages = await consumer.consume({
        max_messages: 2000,
        callback: (m) => {
          if (!reading || this.closed) return;
          this.pending.add(m.seq, m.data, m.subject);
          kept(m.seq);
          if (this.pending.count >= HAND_OVER_AT) {
            this.handOverPending();
          } else if (!this.handing) {
            this.handing = true;
            setImmediate(() => this.handOverPending());
          }
          if (this.full()) {
            reading = false;
            this.handOverPending();
            stop('full');
          }
        },
      });
      this.messages = messages;
      const ended = messages.closed().then((error) => {
        if (error) throw error;
        return 'ended' as const;
      });
      const outcome = await Promise.race([stopped, ended]);
      reading = false;
      await messages.close().catch(() => undefined);
      return outcome;
    } finally {
      consumer.delete().catch(() => undefined);
    }
  }

  private full(): boolean {
    return this.inFlight + this.pending.count >= this.start.bufferSize;
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
