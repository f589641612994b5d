import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { LogLine } from '../graphql/types.js';
import { findMatches, highlightSegments, splitMatches } from './search.js';

const lines = (...texts: string[]): LogLine[] =>
  texts.map((text, i) => ({ taskId: 't', runId: 'r', seq: i + 1, stream: 'stdout', text, at: '2026-11-20T10:00:00Z' }));

describe('findMatches', () => {
  it('matches visible text case-insensitively, ignoring colour codes and regex syntax', () => {
    const log = lines('\u001b[31mERR\u001b[0mOR here', 'nothing', 'an error.*', 'Error');
    expect(findMatches(log, 'error')).toEqual([0, 2, 3]);
    expect(findMatches(log, 'error.*')).toEqual([2]);
    expect(findMatches(log, '')).toEqual([]);
  });

  it('searches only the given range and appends to what was found before', () => {
    const log = lines('a', 'a', 'b', 'a');
    expect(findMatches(log, 'a', 2, 4, [0, 1])).toEqual([0, 1, 3]);
    expect(findMatches(log, 'a', 0, 2)).toEqual([0, 1]);
  });
});

describe('splitMatches and highlightSegments', () => {
  it('splits around every occurrence', () => {
    expect(splitMatches('abcABCabc', 'bc')).toEqual([
      { text: 'a', match: false },
      { text: 'bc', match: true },
      { text: 'A', match: false },
      { text: 'BC', match: true },
      { text: 'a', match: false },
      { text: 'bc', match: true },
    ]);
  });

  it('highlights a match that spans two colours', () => {
    const out = highlightSegments(
      [
        { text: 'ERROR', style: 'red' },
        { text: ' disk full', style: 'plain' },
      ],
      'error disk',
    );
    expect(out).toEqual([
      { style: 'red', parts: [{ text: 'ERROR', match: true }] },
      {
        style: 'plain',
        parts: [
          { text: ' disk', match: true },
          { text: ' full', match: false },
        ],
      },
    ]);
  });

  it('keeps the text of every segment and marks exactly the occurrences of the query', () => {
    fc.assert(
      fc.property(
        fc.array(fc.string({ unit: fc.constantFrom('a', 'b', 'A', 'x', ' ') }), { maxLength: 6 }),
        fc.string({ unit: fc.constantFrom('a', 'b', 'A'), minLength: 1, maxLength: 3 }),
        (texts, query) => {
          const segments = texts.map((text, i) => ({ text, style: i }));
          const out = highlightSegments(segments, query);
          expect(out.map((s) => s.parts.map((p) => p.text).join(''))).toEqual(texts);
          const marked = out
            .flatMap((s) => s.parts)
            .map((p) => (p.match ? p.text.replace(/./g, '^') : p.text.replace(/./g, '.')))
            .join('');
          const expected = splitMatches(texts.join(''), query)
            .map((p) => (p.match ? p.text.replace(/./g, '^') : p.text.replace(/./g, '.')))
            .join('');
          expect(marked).toBe(expected);
        },
      ),
    );
  });
});
