import { decodeEnvelope, decodeEnvelopeWithData } from '@cohort/contracts';
import type { FeedItem, UnknownEvent } from '../project/feed-item.js';

/**
 * A message of the events stream as the projector takes it: the decoded
 * event or, when it cannot be decoded, an UnknownEvent, so the feed never
 * stops at it. The subject (asked for only then) still says which aggregate
 * it was about.
 */
export function decodeEvent(data: Uint8Array, subject: () => string): FeedItem['event'] {
  // Not through decodeEventWithData: cutting the data's JSON out would be wasted on a caller that makes no timeline.
  const decoded = decodeEnvelope(data);
  return decoded.ok ? decoded.value : unknownEvent(data, subject(), decoded.error.message);
}

/** decodeEvent, with the data's canonical JSON text when the message holds it as such (see decodeEnvelopeWithData). */
export function decodeEventWithData(
  data: Uint8Array,
  subject: () => string,
): { readonly event: FeedItem['event']; readonly dataJson: string | undefined } {
  const decoded = decodeEnvelopeWithData(data);
  return decoded.ok
    ? { event: decoded.value, dataJson: decoded.dataJson }
    : { event: unknownEvent(data, subject(), decoded.error.message), dataJson: undefined };
}

function unknownEvent(data: Uint8Array, subject: string, reason: string): UnknownEvent {
  let raw: Record<string, unknown> = {};
  try {
    const parsed: unknown = JSON.parse(new TextDecoder().decode(data));
    if (parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed)) raw = parsed as Record<string, unknown>;
  } catch {
    // Not JSON at all: the subject still says which aggregate it was about.
  }
  const tokens = subject.split('.');
  const text = (value: unknown, fallback: string) => (typeof value === 'string' && value !== '' ? value : fallback);
  const occurredAt = typeof raw.occurredAt === 'string' && !Number.isNaN(Date.parse(raw.occurredAt)) ? raw.occurredAt : null;
  return {
    unknown: true,
    type: text(raw.type, 'Unknown'),
    id: text(raw.id, ''),
    aggregateType: text(raw.aggregateType, tokens[2] ?? ''),
    aggregateId: text(raw.aggregateId, tokens[3] ?? ''),
    version: typeof raw.version === 'number' && Number.isInteger(raw.version) ? raw.version : 0,
    occurredAt,
    data: raw.data ?? null,
    reason,
  };
}
