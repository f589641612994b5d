import { MsgHdrsImpl, type MsgHdrs } from '@nats-io/transport-node';
import { Headers, type Envelope } from '@cohort/contracts';

const LINE_BREAK = /[\r\n]/;

/**
 * The headers an event is published with. Cohort's let consumers route and
 * filter without decoding the body, and let the store learn an aggregate's
 * version from its last message alone; Nats-Msg-Id makes JetStream dedupe on
 * the event id and Nats-Expected-Last-Subject-Sequence is the optimistic
 * concurrency check.
 *
 * Filled in directly rather than through `set`, which looks every key up
 * again and re-validates it: that was a sixth of an append's client CPU. The
 * keys are constants, so only the values need checking.
 */
export function eventHeaders(envelope: Envelope, expectedLastSubjectSequence: number): MsgHdrs {
  const h = new MsgHdrsImpl();
  h.headers.set(Headers.eventType, [headerValue('type', envelope.type)]);
  h.headers.set(Headers.aggregateVersion, [String(envelope.version)]);
  h.headers.set(Headers.correlationId, [headerValue('correlationId', envelope.correlationId)]);
  h.headers.set(Headers.causationId, [headerValue('causationId', envelope.causationId)]);
  if (envelope.traceparent !== '') h.headers.set(Headers.traceparent, [headerValue('traceparent', envelope.traceparent)]);
  h.headers.set(Headers.msgId, [headerValue('id', envelope.id)]);
  h.headers.set(Headers.expectedLastSubjectSequence, [String(expectedLastSubjectSequence)]);
  return h;
}

function headerValue(field: string, value: string): string {
  // A line break would end the header block early and let the value forge headers of its own.
  if (LINE_BREAK.test(value)) throw new RangeError(`event ${field} must not contain a line break, got ${JSON.stringify(value)}`);
  return value;
}

/** The aggregate version a stored message carries, or undefined when it carries none. */
export function versionOf(h: MsgHdrs | undefined): number | undefined {
  const raw = h?.get(Headers.aggregateVersion);
  if (!raw) return undefined;
  const version = Number(raw);
  return Number.isSafeInteger(version) && version > 0 ? version : undefined;
}
