import type { Envelope } from '@cohort/contracts';
import { isUnknownEvent, type UnknownEvent } from './feed-item.js';
import { JsonText, type Row } from './rows.js';
import { canonicalDataJson, runIdOfEvent, timelineSummary } from '../timeline-summary.js';

/**
 * The timeline row of the event at `position`: as timelineEntryOf, with the
 * data left as the JSON text it is written as: `dataJson` when the caller has
 * it already (see decodeEnvelopeWithData). `summary` replaces the usual one
 * (an event the projection could not apply says why).
 */
export function timelineRow(position: number, event: Envelope | UnknownEvent, summary?: string, dataJson?: string): Row {
  const unknown = isUnknownEvent(event);
  return {
    position,
    aggregate_type: event.aggregateType,
    aggregate_id: event.aggregateId,
    event_id: event.id,
    type: event.type,
    version: event.version,
    occurred_at: unknown ? event.occurredAt : event.occurredAt || null,
    run_id: unknown ? null : runIdOfEvent(event),
    summary: summary ?? (unknown ? `not projected: ${event.reason}`.slice(0, 300) : timelineSummary(event)),
    data: unknown ? (event.data ?? null) : new JsonText(dataJson ?? canonicalDataJson(event)),
  };
}
