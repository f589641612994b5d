import { describe, expect, it } from 'vitest';
import { parseReviewComment } from './review-verb.js';
import { UsageError } from '../usage.js';

describe('parseReviewComment', () => {
  it.each([
    ['src/a.ts:12:rename this', { path: 'src/a.ts', line: 12, body: 'rename this' }],
    ['README.md:1:use: colons, freely', { path: 'README.md', line: 1, body: 'use: colons, freely' }],
  ])('reads %j', (raw, expected) => {
    expect(parseReviewComment(raw)).toEqual(expected);
  });

  it.each(['src/a.ts', 'src/a.ts:x:body', 'src/a.ts:12:', ':12:body'])('rejects %j naming the expected shape', (raw) => {
    expect(() => parseReviewComment(raw)).toThrow(UsageError);
    expect(() => parseReviewComment(raw)).toThrow('<path>:<line>:<text>');
  });
});
