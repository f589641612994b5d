import { Logger } from '@nestjs/common';
import { Server, type CustomTransportStrategy } from '@nestjs/microservices';
import { lastValueFrom } from 'rxjs';
import {
  AckPolicy,
  DeliverPolicy,
  jetstream,
  jetstreamManager,
  type ConsumerConfig,
  type ConsumerMessages,
  type JetStreamClient,
  type JsMsg,
} from '@nats-io/jetstream';
import { connect, nanos, type NatsConnection } from '@nats-io/transport-node';
import type { Topology } from '@cohort/contracts';
import { retryDelayMs, type BackoffOptions } from './backoff.js';
import { publishDeadLetter, type DeadLetter } from './dead-letter.js';
import { describeError } from './describe-error.js';
import { JetStreamContext } from './jetstream-context.js';
import { KeyedWorkQueue } from './keyed-work-queue.js';
import { envelopeDecoder, type MessageDecoder } from './message-decoders.js';
import { runWithMessageContext, type MessageContext } from './message-context.js';

/** `@EventPattern(ANY_EVENT)` handles every decoded message that has no handler of its own. */
export const ANY_EVENT = '*';

export interface JetStreamTransportOptions {
  /** A connection the caller owns (it is not drained on close), or servers to connect to (drained on close). */
  readonly connection: NatsConnection | { readonly servers: string | string[]; readonly name?: string };
  readonly topology: Topology;
  /** The service; names its durable consumer and its dead-letter subject. */
  readonly service: string;
  /** Stream to consume. @default topology.streams.events */
  readonly stream?: string;
  /** The consumer's single filter subject. @default topology.allEvents */
  readonly filterSubject?: string;
  /** How messages become handler input. @default envelopeDecoder */
  readonly decoder?: MessageDecoder;
  /** Deliveries of a failing message before it is dead-lettered. @default 5 */
  readonly maxDeliveries?: number;
  /** Delay before a failed message is redelivered, doubling each time. @default { initialDelayMs: 1000, maxDelayMs: 60000 } */
  readonly backoff?: BackoffOptions;
  /** Handlers running at once in this instance. @default 16 */
  readonly concurrency?: number;
  /** Time the server waits for an ack before redelivering; in-flight messages are kept alive meanwhile. @default 30000 */
  readonly ackWaitMs?: number;
  /** How long `close()` waits for in-flight handlers before draining anyway. @default 10000 */
  readonly shutdownTimeoutMs?: number;
  /**
   * A handler still running after this long counts as failed (retried, then dead-lettered) and frees
   * its slot; it is not cancelled, so it must be idempotent like any handler. @default 300000
   */
  readonly handlerTimeoutMs?: number;
  /** Messages with the same key are handled one after another. @default the subject (one aggregate per subject) */
  readonly orderingKey?: (msg: JsMsg) => string;
}

/**
 * Nest microservice transport over a durable JetStream pull consumer: every
 * replica of a service binds the same consumer and so shares its work.
 * Delivery is at least once; see the README for the guarantees.
 */
export class JetStreamTransport extends Server implements CustomTransportStrategy {
  // Without this Nest swallows handler errors of event handlers, and nothing would be retried.
  override readonly propagatesEventHandlerErrors = true;

  private readonly log: Logger;
  private readonly stream: string;
  private readonly filterSubject: string;
  private readonly decoder: MessageDecoder;
  private readonly maxDeliveries: number;
  private readonly ackWaitMs: number;
  private readonly shutdownTimeoutMs: number;
  private readonly handlerTimeoutMs: number;
  private readonly queue: KeyedWorkQueue;
  private readonly orderingKey: (msg: JsMsg) => string;
  private nc: NatsConnection | undefined;
  private js: JetStreamClient | undefined;
  private messages: ConsumerMessages | undefined;
  private pulling: Promise<void> | undefined;
  private closing = false;

  constructor(private readonly options: JetStreamTransportOptions) {
    super();
    this.log = new Logger(`JetStreamTransport:${options.service}`);
    this.stream = options.stream ?? options.topology.streams.events;
    this.filterSubject = options.filterSubject ?? options.topology.allEvents;
    this.decoder = options.decoder ?? envelopeDecoder;
    this.maxDeliveries = options.maxDeliveries ?? 5;
    this.ackWaitMs = options.ackWaitMs ?? 30_000;
    this.shutdownTimeoutMs = options.shutdownTimeoutMs ?? 10_000;
    this.handlerTimeoutMs = options.handlerTimeoutMs ?? 300_000;
    this.queue = new KeyedWorkQueue(options.concurrency ?? 16);
    this.orderingKey = options.orderingKey ?? ((msg) => msg.subject);
    if (!Number.isInteger(this.maxDeliveries) || this.maxDeliveries < 1) {
      throw new Error(`maxDeliveries must be a positive integer, got ${this.maxDeliveries}`);
    }
  }

  get consumerName(): string {
    return this.options.topology.consumer(this.options.service);
  }

  async listen(callback: (error?: unknown) => void): Promise<void> {
    try {
      await this.start();
      callback();
    } catch (error) {
      await this.close().catch(() => undefined);
      callback(error);
    }
  }

  /** Binds (creating if needed) the durable consumer and starts pulling. */
  async start(): Promise<void> {
    const { connection } = this.options;
    this.nc =
      'servers' in connection ? await connect({ servers: connection.servers, name: connection.name ?? this.options.service }) : connection;
    this.js = jetstream(this.nc);
    await this.ensureConsumer();
    const consumer = await this.js.consumers.get(this.stream, this.consumerName);
    this.messages = await consumer.consume({ max_messages: Math.max(1, this.queue.concurrencyLimit) });
    this.pulling = this.pull(this.messages);
    this.log.log(`consuming ${this.filterSubject} from ${this.stream} as ${this.consumerName}`);
  }

  /** Stops pulling, lets in-flight handlers finish (bounded by shutdownTimeoutMs), then drains an owned connection. */
  async close(): Promise<void> {
    if (this.closing) return;
    this.closing = true;
    this.messages?.stop();
    await this.pulling;
    let timer: NodeJS.Timeout | undefined;
    const timedOut = await Promise.race([
      this.queue.whenIdle().then(() => false),
      new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(true), this.shutdownTimeoutMs))),
    ]);
    clearTimeout(timer);
    if (timedOut)
      this.log.warn(`${this.queue.size} handler(s) still running after ${this.shutdownTimeoutMs} ms; their messages will be redelivered`);
    if (this.nc && 'servers' in this.options.connection && !this.nc.isClosed()) await this.nc.drain();
    this.log.log('stopped');
  }

  on(): never {
    throw new Error('JetStreamTransport has no events to listen to');
  }

  unwrap<T>(): T {
    if (!this.nc) throw new Error('JetStreamTransport is not listening yet');
    return this.nc as T;
  }

  private async ensureConsumer(): Promise<void> {
    const jsm = await jetstreamManager(this.nc!);
    const config: Partial<ConsumerConfig> = {
      durable_name: this.consumerName,
      filter_subject: this.filterSubject,
      ack_policy: AckPolicy.Explicit,
      deliver_policy: DeliverPolicy.All,
      ack_wait: nanos(this.ackWaitMs),
      // Unlimited on the server: the transport dead-letters itself, so a crash mid-way still redelivers.
      max_deliver: -1,
    };
    try {
      await jsm.consumers.add(this.stream, config);
    } catch (error) {
      // Exists with other settings (an older deploy): bring the mutable ones up to date.
      const existing = await jsm.consumers.info(this.stream, this.consumerName).catch(() => undefined);
      if (!existing) {
        throw new Error(`cannot create consumer ${this.consumerName} on stream ${this.stream}: ${describeError(error)}`, { cause: error });
      }
      if (existing.config.filter_subject !== this.filterSubject) {
        throw new Error(
          `consumer ${this.consumerName} on ${this.stream} filters ${existing.config.filter_subject ?? '(nothing)'}, not ${this.filterSubject}; delete it to change its subject`,
          { cause: error },
        );
      }
      await jsm.consumers.update(this.stream, this.consumerName, { ack_wait: config.ack_wait!, max_deliver: -1 });
    }
  }

  private async pull(messages: ConsumerMessages): Promise<void> {
    try {
      for await (const msg of messages) {
        if (this.closing) {
          // Hand it straight back so another replica takes it now, not after ack wait.
          msg.nak();
          continue;
        }
        // Kept alive from arrival, not from start: a message queued behind a slow one of its
        // aggregate would otherwise pass its ack wait and be delivered a second time.
        const keepAlive = setInterval(() => msg.working(), Math.max(100, this.ackWaitMs / 2));
        this.queue.push(this.orderingKey(msg), () => this.process(msg).finally(() => clearInterval(keepAlive)));
        await this.queue.whenFree();
      }
    } catch (error) {
      if (!this.closing) this.log.error(`stopped consuming ${this.stream}: ${describeError(error)}`);
    }
  }

  private async process(msg: JsMsg): Promise<void> {
    const where = `${msg.subject} #${msg.info.streamSequence} delivery ${msg.info.deliveryCount}`;
    let decoded: ReturnType<MessageDecoder>;
    try {
      decoded = this.decoder(msg);
    } catch (error) {
      // A throwing decoder is a bug here, not a bad message: retry rather than dead-letter.
      await this.failed(msg, where, error);
      return;
    }
    if (!decoded.ok) {
      const { error } = decoded;
      const field = error.field ? ` (field ${error.field})` : '';
      this.log.warn(`${where}: undecodable (${error.code}${field}), dead-lettering`);
      await this.deadLetter(msg, { reason: `decode_${error.code}`, error: `${error.message}${field}` });
      return;
    }
    const message = decoded.value;
    const handler = this.getHandlerByPattern(message.pattern) ?? this.messageHandlers.get(ANY_EVENT);
    if (!handler) {
      msg.ack();
      return;
    }
    const context: MessageContext = {
      subject: msg.subject,
      traceparent: message.traceparent,
      correlationId: message.correlationId,
      causationId: message.causationId,
      messageId: message.messageId,
      deliveryCount: msg.info.deliveryCount,
      stream: msg.info.stream,
      streamSequence: msg.info.streamSequence,
    };
    let timer: NodeJS.Timeout | undefined;
    try {
      await Promise.race([
        runWithMessageContext(context, async () => {
          const result = await handler(message.data, new JetStreamContext([context, msg]));
          await lastValueFrom(this.transformToObservable(result), { defaultValue: undefined });
        }),
        new Promise<never>((_, reject) => {
          timer = setTimeout(() => reject(new Error(`handler did not finish within ${this.handlerTimeoutMs} ms`)), this.handlerTimeoutMs);
        }),
      ]);
    } catch (error) {
      await this.failed(msg, where, error);
      return;
    } finally {
      clearTimeout(timer);
    }
    msg.ack();
  }

  private async failed(msg: JsMsg, where: string, error: unknown): Promise<void> {
    const description = describeError(error);
    if (msg.info.deliveryCount >= this.maxDeliveries) {
      this.log.error(`${where}: handler failed for the last time (${description}), dead-lettering`);
      await this.deadLetter(msg, { reason: 'max_deliveries_exceeded', error: description });
      return;
    }
    const delay = retryDelayMs(msg.info.deliveryCount, this.options.backoff);
    this.log.warn(`${where}: handler failed (${description}), retrying in ${delay} ms`);
    msg.nak(delay);
  }

  private async deadLetter(msg: JsMsg, letter: DeadLetter): Promise<void> {
    try {
      await publishDeadLetter(this.js!, this.options.topology.dlq(this.options.service), msg, letter);
      // No term reason: server 2.9 ignores a "+TERM <reason>" ack and would redeliver forever.
      msg.term();
    } catch (error) {
      // Never drop a message we could not park: keep it and try again later.
      const delay = retryDelayMs(msg.info.deliveryCount, this.options.backoff);
      this.log.error(
        `${msg.subject} #${msg.info.streamSequence}: dead-lettering failed (${describeError(error)}), retrying in ${delay} ms`,
      );
      msg.nak(delay);
    }
  }
}
