import { decodeJson, LogLineSchema, type LogLine } from '@cohort/contracts';
import type { DecodeResult } from '@cohort/contracts';

/** A stored log message's LogLine, or why it is not one. */
export function decodeLogMessage(data: Uint8Array): DecodeResult<LogLine> {
  return decodeJson(LogLineSchema, data);
}
