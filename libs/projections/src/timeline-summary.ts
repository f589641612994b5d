import { encodeJsonText, eventSchemas, type Envelope } from '@cohort/contracts';
import { summarizeEvent } from './project/summarize-event.js';
import type { TimelineEntryRow } from './read/read-model.js';

/**
 * The one-line human summary of an event, for the timeline table and the
 * live `taskEvents` subscription alike. Never carries secret values.
 */
export const timelineSummary: (event: Envelope) => string = summarizeEvent;

/** The run an event is about, when its data names one. */
export function runIdOfEvent(event: Envelope): string | null {
  const data = event.data as { readonly runId?: unknown };
  return typeof data.runId === 'string' && data.runId !== '' ? data.runId : null;
}

/** An event as one timeline entry: summary, run and the data as proto3 canonical JSON (enum names, camelCase). */
export function timelineEntryOf(event: Envelope, position: number): TimelineEntryRow {
  return {
    position,
    eventId: event.id,
    type: event.type,
    version: event.version,
    occurredAt: event.occurredAt,
    runId: runIdOfEvent(event),
    summary: timelineSummary(event),
    data: JSON.parse(canonicalDataJson(event)),
  };
}

/** An event's data as proto3 canonical JSON text (what timelineEntryOf parses into `data`). */
export function canonicalDataJson(event: Envelope): string {
  // The union's data is the message of its type; TS cannot follow the correlation.
  return encodeJsonText(eventSchemas[event.type], event.data as never);
}
