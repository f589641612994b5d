import { decodeJson, LogLineSchema, LogStream, type DecodeResult, type LogLine } from '@cohort/contracts';

const utf8 = new TextDecoder('utf-8', { fatal: true });
const FIELDS = new Set(['taskId', 'runId', 'seq', 'stream', 'text', 'at']);
const STREAMS: Readonly<Record<string, LogStream>> = {
  LOG_STREAM_UNSPECIFIED: LogStream.UNSPECIFIED,
  LOG_STREAM_STDOUT: LogStream.STDOUT,
  LOG_STREAM_STDERR: LogStream.STDERR,
  LOG_STREAM_SYSTEM: LogStream.SYSTEM,
};
const MAX_UINT32 = 2 ** 32 - 1;

/**
 * A stored log message's LogLine, or why it is not one.
 *
 * Lines are decoded at the rate agents write them, and the strict protobuf
 * decoder costs about fifty times a JSON.parse per line, so the canonical JSON
 * agent-runtime writes is read directly. Anything else (another valid spelling
 * of proto3 JSON, or a malformed line) goes through the strict decoder, which
 * accepts it or names the problem; a unit test holds both to the same results.
 */
export function decodeLogMessage(data: Uint8Array): DecodeResult<LogLine> {
  return fastDecode(data) ?? decodeJson(LogLineSchema, data);
}

function fastDecode(data: Uint8Array): { ok: true; value: LogLine } | undefined {
  let json: unknown;
  try {
    json = JSON.parse(utf8.decode(data));
  } catch {
    return undefined;
  }
  if (json === null || typeof json !== 'object' || Array.isArray(json)) return undefined;
  const raw = json as Record<string, unknown>;
  for (const key in raw) if (!FIELDS.has(key)) return undefined;
  const { taskId, runId, seq, stream = 'LOG_STREAM_UNSPECIFIED', text = '', at = '' } = raw;
  if (typeof taskId !== 'string' || taskId === '' || typeof runId !== 'string' || runId === '') return undefined;
  if (typeof seq !== 'number' || !Number.isInteger(seq) || seq < 1 || seq > MAX_UINT32) return undefined;
  if (typeof stream !== 'string' || !(stream in STREAMS) || typeof text !== 'string' || typeof at !== 'string') return undefined;
  return { ok: true, value: { $typeName: 'cohort.v1.LogLine', taskId, runId, seq, stream: STREAMS[stream]!, text, at } };
}
