import { AsyncLocalStorage } from 'node:async_hooks';

/** What a handler knows about the message it is handling, to carry onward into what it appends or sends. */
export interface MessageContext {
  /** NATS subject the message arrived on. */
  readonly subject: string;
  /** W3C traceparent of the message, empty when untraced. */
  readonly traceparent: string;
  /** Correlation id of the chain the message belongs to, empty when unknown. */
  readonly correlationId: string;
  /** Causation id the message itself carries. */
  readonly causationId: string;
  /** Id of this message (event id, Nats-Msg-Id or request id): the causation id of whatever it causes. */
  readonly messageId: string;
  /** 1 on the first delivery; commands are always 1. */
  readonly deliveryCount: number;
  /** Stream and sequence for JetStream messages. */
  readonly stream?: string;
  readonly streamSequence?: number;
}

const storage = new AsyncLocalStorage<MessageContext>();

/** The context of the message being handled in this async flow, or undefined outside a handler. */
export function currentMessageContext(): MessageContext | undefined {
  return storage.getStore();
}

export function runWithMessageContext<T>(context: MessageContext, fn: () => T): T {
  return storage.run(context, fn);
}
