import { currentMessageContext } from './message-context.js';
import { childTraceparent } from './trace-context.js';

/** The causal metadata of an event appended while a message is handled; absent fields are filled in by the store. */
export interface EventTrace {
  readonly correlationId?: string;
  readonly causationId?: string;
  readonly traceparent?: string;
}

/**
 * Correlation, causation and trace of the command or message being handled, for
 * the events it causes: the correlation carries on, the handled message is the
 * cause, and the trace gets a child span. Outside a handler there is no cause,
 * so the event starts its own conversation.
 */
export function eventTrace(): EventTrace {
  const context = currentMessageContext();
  if (!context) return {};
  return {
    ...(context.correlationId ? { correlationId: context.correlationId } : {}),
    ...(context.messageId ? { causationId: context.messageId } : {}),
    ...(context.traceparent ? { traceparent: childTraceparent(context.traceparent) } : {}),
  };
}
