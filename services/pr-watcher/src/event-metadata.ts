import { createHash } from 'node:crypto';
import { childTraceparent, currentMessageContext } from '@cohort/messaging';

/**
 * A UUID derived from the name of a fact (e.g. `<runId>:workspace-ready`), so
 * that a redelivered message appends the very same event id and the event store
 * drops the copy instead of recording the fact twice.
 */
export function eventIdFor(fact: string): string {
  const hex = createHash('sha256').update(fact).digest('hex');
  const variant = ((parseInt(hex[16]!, 16) & 0x3) | 0x8).toString(16);
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-5${hex.slice(13, 16)}-${variant}${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

export interface EventTrace {
  readonly correlationId?: string;
  readonly causationId?: string;
  readonly traceparent?: string;
}

/** Correlation carries on, the handled message is the cause, the trace gets a child span. */
export function eventTrace(): EventTrace {
  const context = currentMessageContext();
  if (!context) return {};
  return {
    ...(context.correlationId ? { correlationId: context.correlationId } : {}),
    ...(context.messageId ? { causationId: context.messageId } : {}),
    ...(context.traceparent ? { traceparent: childTraceparent(context.traceparent) } : {}),
  };
}
