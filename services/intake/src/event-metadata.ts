import { createHash } from 'node:crypto';
import type { Envelope, TaskEvent } from '@cohort/contracts';

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
