import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { JsonText } from '../project/rows.js';
import { copyJson, copyLine, copyScalar, timelineCopyLine, TIMELINE_COPY_COLUMNS } from './copy-text.js';

/** COPY's text format read back as Postgres reads one field: `\N` is NULL, backslash escapes undone. */
function readField(field: string): string | null {
  if (field === '\\N') return null;
  return field.replace(/\\(.)/g, (_, c: string) => ({ n: '\n', r: '\r', t: '\t' })[c] ?? c);
}

describe('COPY text', () => {
  it('writes NULL for absent values, t/f for booleans and numbers as their text', () => {
    expect([null, undefined, true, false, 42, 0.0123, -1e-7].map(copyScalar)).toEqual(['\\N', '\\N', 't', 'f', '42', '0.0123', '-1e-7']);
  });

  it('escapes what the format gives a meaning to, so every string reads back as it was, less the NUL Postgres cannot hold', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary' }), (text) => {
        const field = copyScalar(text);
        expect(field).not.toMatch(/[\t\n\r]/);
        expect(readField(field)).toBe(text.replaceAll('\u0000', ''));
      }),
    );
  });

  it('writes JSON as its text, escaped, dropping only the NUL escape Postgres cannot make text of', () => {
    expect(copyJson({ a: 'x\ty', b: 'back\\slash', c: 'nul\u0000here' })).toBe('{"a":"x\\\\ty","b":"back\\\\\\\\slash","c":"nulhere"}');
    expect(readField(copyJson({ path: 'C:\\u0000' }))).toBe('{"path":"C:\\\\u0000"}');
    expect(copyJson(new JsonText('{"k":"v"}'))).toBe('{"k":"v"}');
    expect([null, undefined, new JsonText('null')].map(copyJson)).toEqual(['null', 'null', 'null']);
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        const field = copyJson(value);
        expect(field).not.toMatch(/[\t\n\r]/);
        expect(JSON.parse(readField(field)!)).toEqual(JSON.parse(JSON.stringify(value).replace(/(?<!\\)((?:\\\\)*)\\u0000/g, '$1')));
      }),
    );
  });

  it('writes a row as one line, the columns in order', () => {
    const columns = { id: 'text', n: 'int', doc: 'json', at: 'timestamptz' };
    expect(copyLine({ at: '2026-01-01T00:00:00Z', doc: { a: [1] }, n: 3, id: 'a\tb' }, columns)).toBe(
      'a\\tb\t3\t{"a":[1]}\t2026-01-01T00:00:00Z\n',
    );
  });

  it('spells a timeline row as the generic line would', () => {
    const row = {
      position: 7,
      aggregate_type: 'task',
      aggregate_id: 't-1',
      event_id: 'e-7',
      type: 'RunStarted',
      version: 3,
      occurred_at: '2026-01-01T00:00:00.000Z',
      run_id: null,
      summary: 'run r1\tstarted\n',
      data: new JsonText('{"runId":"r1"}'),
    };
    const columns = Object.fromEntries(TIMELINE_COPY_COLUMNS.map((c) => [c, c === 'data' ? 'json' : 'text']));
    expect(timelineCopyLine(row)).toBe(copyLine(row, columns));
  });
});
