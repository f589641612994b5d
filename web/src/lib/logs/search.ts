import type { LogLine } from '../graphql/types.js';
import { stripAnsi } from './ansi.js';

const escapeRegExp = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** A case-insensitive matcher for `query` taken literally (regex case folding keeps lengths, unlike toLowerCase). */
export function matcher(query: string): RegExp | undefined {
  return query.length === 0 ? undefined : new RegExp(escapeRegExp(query), 'giu');
}

/** Indexes of the lines in [from, to) whose visible text contains `query`, case-insensitively, appended to `into`. */
export function findMatches(lines: readonly LogLine[], query: string, from = 0, to = lines.length, into: number[] = []): number[] {
  const re = matcher(query);
  if (!re) return into;
  for (let i = from; i < Math.min(to, lines.length); i++) {
    re.lastIndex = 0;
    if (re.test(stripAnsi(lines[i]!.text))) into.push(i);
  }
  return into;
}

/** Splits visible text around the occurrences of `query`, for highlighting. */
export function splitMatches(text: string, query: string): { text: string; match: boolean }[] {
  const re = matcher(query);
  if (!re) return text.length === 0 ? [] : [{ text, match: false }];
  const parts: { text: string; match: boolean }[] = [];
  let at = 0;
  for (const hit of text.matchAll(re)) {
    if (hit.index > at) parts.push({ text: text.slice(at, hit.index), match: false });
    parts.push({ text: hit[0], match: true });
    at = hit.index + hit[0].length;
  }
  if (at < text.length) parts.push({ text: text.slice(at), match: false });
  return parts;
}

/** A styled segment cut into parts that are or are not inside a match. */
export interface HighlightedSegment<S> {
  readonly style: S;
  readonly parts: readonly { text: string; match: boolean }[];
}

/**
 * Highlights `query` across styled segments: matches are found in the line's whole
 * visible text, so one may span several colours (`ERROR` in red, then ` disk`).
 */
export function highlightSegments<S>(segments: readonly { text: string; style: S }[], query: string): HighlightedSegment<S>[] {
  const re = matcher(query);
  if (!re) return segments.map((s) => ({ style: s.style, parts: [{ text: s.text, match: false }] }));
  const whole = segments.map((s) => s.text).join('');
  const ranges: [number, number][] = [];
  for (const hit of whole.matchAll(re)) if (hit[0].length > 0) ranges.push([hit.index, hit.index + hit[0].length]);
  let offset = 0;
  return segments.map((segment) => {
    const start = offset;
    const end = offset + segment.text.length;
    offset = end;
    const parts: { text: string; match: boolean }[] = [];
    let at = start;
    for (const [from, to] of ranges) {
      if (to <= at || from >= end) continue;
      const a = Math.max(from, at);
      const b = Math.min(to, end);
      if (a > at) parts.push({ text: segment.text.slice(at - start, a - start), match: false });
      parts.push({ text: segment.text.slice(a - start, b - start), match: true });
      at = b;
    }
    if (at < end) parts.push({ text: segment.text.slice(at - start), match: false });
    return { style: segment.style, parts };
  });
}
