import { headers as natsHeaders, type MsgHdrs } from '@nats-io/transport-node';
import { Headers, type Envelope } from '@cohort/contracts';

/**
 * Headers let consumers route and filter without decoding the body, and let
 * the store learn an aggregate's version from its last message alone.
 * Nats-Msg-Id is set by the publish call (msgID) so JetStream dedupes on it.
 */
export function eventHeaders(envelope: Envelope): MsgHdrs {
  const h = natsHeaders();
  h.set(Headers.eventType, envelope.type);
  h.set(Headers.aggregateVersion, String(envelope.version));
  h.set(Headers.correlationId, envelope.correlationId);
  h.set(Headers.causationId, envelope.causationId);
  if (envelope.traceparent !== '') h.set(Headers.traceparent, envelope.traceparent);
  return h;
}

/** The aggregate version a stored message carries, or undefined when it carries none. */
export function versionOf(h: MsgHdrs | undefined): number | undefined {
  const raw = h?.get(Headers.aggregateVersion);
  if (!raw) return undefined;
  const version = Number(raw);
  return Number.isSafeInteger(version) && version > 0 ? version : undefined;
}
