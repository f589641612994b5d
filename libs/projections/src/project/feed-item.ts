import type { Envelope } from '@cohort/contracts';

/** An event this version cannot decode (a newer type, or a foreign writer): kept in the timeline, otherwise skipped. */
export interface UnknownEvent {
  readonly unknown: true;
  readonly type: string;
  readonly id: string;
  readonly aggregateType: string;
  readonly aggregateId: string;
  readonly version: number;
  readonly occurredAt: string | null;
  readonly data: unknown;
  readonly reason: string;
}

/** One entry of the log, in order. */
export interface FeedItem {
  readonly position: number;
  readonly event: Envelope | UnknownEvent;
  /** Its timeline row as a line of COPY text (timelineCopyLine) in UTF-8, when the reader made it already. */
  readonly timeline?: Uint8Array;
}

export function isUnknownEvent(event: Envelope | UnknownEvent): event is UnknownEvent {
  return 'unknown' in event;
}
