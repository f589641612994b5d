import { randomBytes } from 'node:crypto';

/** A parsed W3C `traceparent` (https://www.w3.org/TR/trace-context/#traceparent-header). */
export interface TraceContext {
  readonly version: string;
  /** 32 lower-case hex digits, not all zero. */
  readonly traceId: string;
  /** 16 lower-case hex digits, not all zero. */
  readonly spanId: string;
  /** 2 hex digits; bit 0 is "sampled". */
  readonly flags: string;
}

/** Fills `size` random bytes; injected so tests and replays are deterministic. */
export type RandomSource = (size: number) => Uint8Array;

export const cryptoRandom: RandomSource = (size) => randomBytes(size);

const HEX = /^[0-9a-f]+$/;
const V00_LENGTH = 55;

/**
 * Parses a traceparent, or gives undefined when it is invalid; callers then
 * start a new trace, as the spec asks, rather than failing the message.
 */
export function parseTraceparent(value: string | undefined | null): TraceContext | undefined {
  if (typeof value !== 'string') return undefined;
  const header = value.trim();
  if (header.length < V00_LENGTH) return undefined;
  const version = header.slice(0, 2);
  if (!HEX.test(version) || version === 'ff') return undefined;
  // Version 00 has exactly four fields; later versions may append fields after a dash.
  if (version === '00' ? header.length !== V00_LENGTH : header.length > V00_LENGTH && header[V00_LENGTH] !== '-') return undefined;
  const [, traceId = '', spanId = '', flags = ''] = header.slice(0, V00_LENGTH).split('-');
  if (header[2] !== '-' || header[35] !== '-' || header[52] !== '-') return undefined;
  if (traceId.length !== 32 || !HEX.test(traceId) || /^0+$/.test(traceId)) return undefined;
  if (spanId.length !== 16 || !HEX.test(spanId) || /^0+$/.test(spanId)) return undefined;
  if (flags.length !== 2 || !HEX.test(flags)) return undefined;
  return { version, traceId, spanId, flags };
}

export function isValidTraceparent(value: string | undefined | null): boolean {
  return parseTraceparent(value) !== undefined;
}

/** Always writes version 00: a child of a newer version is downgraded, as the spec allows. */
export function formatTraceparent(context: Pick<TraceContext, 'traceId' | 'spanId' | 'flags'>): string {
  return `00-${context.traceId}-${context.spanId}-${context.flags}`;
}

/** A new trace, sampled. */
export function createRootTraceparent(random: RandomSource = cryptoRandom): string {
  return formatTraceparent({ traceId: nonZeroHex(random, 16), spanId: nonZeroHex(random, 8), flags: '01' });
}

/** A new span in the parent's trace; a missing or invalid parent starts a new trace. */
export function childTraceparent(parent: string | undefined | null, random: RandomSource = cryptoRandom): string {
  const parsed = parseTraceparent(parent);
  if (!parsed) return createRootTraceparent(random);
  return formatTraceparent({ traceId: parsed.traceId, spanId: nonZeroHex(random, 8), flags: parsed.flags });
}

function nonZeroHex(random: RandomSource, size: number): string {
  const bytes = Uint8Array.from(random(size).subarray(0, size));
  if (bytes.length !== size) throw new Error(`random source gave ${bytes.length} bytes, ${size} were asked for`);
  // An all-zero id is invalid by the spec; flip one bit rather than loop on a broken source.
  if (bytes.every((byte) => byte === 0)) bytes[size - 1] = 1;
  return Buffer.from(bytes).toString('hex');
}
