import { createHash } from 'node:crypto';
import type { Envelope, TaskEvent } from '@cohort/contracts';
import { childTraceparent, currentMessageContext } from '@cohort/messaging';

export interface EventTrace {
  readonly correlationId?: string;
  readonly causationId?: string;
  readonly traceparent?: string;
}

/**
 * Correlation, causation and trace of the command or message being handled, for
 * the events it causes: the correlation carries on, the handled message is the
 * cause, and the trace gets a child span.
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

/**
 * A UUID-shaped id that is the same for the same parts. Used where a repeated
 * delivery must produce the very same event, so JetStream drops the copy.
 */
export function deterministicId(...parts: readonly string[]): string {
  const hex = createHash('sha256').update(parts.join('\u0000')).digest('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-8${hex.slice(13, 16)}-${((parseInt(hex[16]!, 16) & 0x3) | 0x8).toString(16)}${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

/** The events of a task aggregate, typed as such (the store reads any aggregate). */
export function taskEvents(events: readonly Envelope[]): Array<Envelope<TaskEvent>> {
  return events.filter((event): event is Envelope<TaskEvent> => event.aggregateType === 'task');
}
