import { type LogEntry, type OutputStream, type ParsedOutput } from './agent-adapter.js';

export type JsonObject = Readonly<Record<string, unknown>>;

/** The line as a JSON object, or undefined when it is anything else (text, a truncated line, an array). */
export function parseJsonObject(line: string): JsonObject | undefined {
  const trimmed = line.trim();
  if (!trimmed.startsWith('{')) return undefined;
  try {
    const value: unknown = JSON.parse(trimmed);
    return isObject(value) ? value : undefined;
  } catch {
    return undefined;
  }
}

export function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function stringField(object: JsonObject, key: string): string | undefined {
  const value = object[key];
  return typeof value === 'string' ? value : undefined;
}

/** A finite, non-negative count; anything else counts as zero so a odd report cannot poison a total. */
export function countField(object: JsonObject, key: string): number {
  const value = object[key];
  return typeof value === 'number' && Number.isFinite(value) && value >= 0 ? value : 0;
}

export function costField(object: JsonObject, key: string): number | undefined {
  const value = object[key];
  return typeof value === 'number' && Number.isFinite(value) && value >= 0 ? value : undefined;
}

export function objectField(object: JsonObject, key: string): JsonObject | undefined {
  const value = object[key];
  return isObject(value) ? value : undefined;
}

export function arrayField(object: JsonObject, key: string): readonly unknown[] {
  const value = object[key];
  return Array.isArray(value) ? value : [];
}

/** How a line nobody understood is logged: as it came, stderr as a warning. */
export function plainLine(line: string, stream: OutputStream): ParsedOutput {
  if (line.trim() === '') return { entries: [] };
  return { entries: [plainEntry(line, stream)] };
}

export function plainEntry(line: string, stream: OutputStream): LogEntry {
  return { level: stream === 'stderr' ? 'warn' : 'info', text: line, kind: 'text' };
}
