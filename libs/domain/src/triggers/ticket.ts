import type { TaskSourceKind } from '@cohort/contracts';

/** Create a task when a ticket from `source` carries the right labels. */
export interface TicketTrigger {
  readonly source: TaskSourceKind;
  readonly labels: readonly string[];
  /** `any`: one of the labels is enough; `all`: every label is needed. @default "any" */
  readonly match?: 'any' | 'all';
}

export interface Ticket {
  readonly source: TaskSourceKind;
  readonly labels: readonly string[];
}

/** Labels compare case-insensitively, as forges and trackers treat them. An empty label list matches every ticket of the source. */
export function ticketMatches(trigger: TicketTrigger, ticket: Ticket): boolean {
  if (trigger.source !== ticket.source) return false;
  if (trigger.labels.length === 0) return true;
  const have = new Set(ticket.labels.map((l) => l.toLowerCase()));
  const want = trigger.labels.map((l) => l.toLowerCase());
  return (trigger.match ?? 'any') === 'all' ? want.every((l) => have.has(l)) : want.some((l) => have.has(l));
}
