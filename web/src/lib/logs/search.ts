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
