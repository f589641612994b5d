import { createHash } from 'node:crypto';

/**
 * A UUID derived from the name of a fact (e.g. `<runId>:workspace-ready`; the
 * layout of a version 5 UUID, over SHA-256), so that appending the same fact
 * twice — a retry after a lost reply, a redelivered message — carries the same
 * event id and the event store drops the copy instead of recording it twice.
 */
export function eventIdFor(fact: string): string {
  const hex = createHash('sha256').update(fact).digest('hex');
  const variant = ((parseInt(hex[16]!, 16) & 0x3) | 0x8).toString(16);
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-5${hex.slice(13, 16)}-${variant}${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}
