import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { applySgr, color256, parseAnsi, stripAnsi, styleToCss, type AnsiStyle } from './ansi.js';

const ESC = '\u001b';

describe('parseAnsi', () => {
  it.each<[string, string, { text: string; style: AnsiStyle }[]]>([
    ['plain text', 'hello', [{ text: 'hello', style: {} }]],
    ['empty line', '', []],
    [
      'a basic colour and reset',
      `${ESC}[31mred${ESC}[0m plain`,
      [
        { text: 'red', style: { fg: { index: 1 } } },
        { text: ' plain', style: {} },
      ],
    ],
    ['bold and bright green together', `${ESC}[1;92mok`, [{ text: 'ok', style: { bold: true, fg: { index: 10 } } }]],
    [
      'an empty SGR resets',
      `${ESC}[4mu${ESC}[mx`,
      [
        { text: 'u', style: { underline: true } },
        { text: 'x', style: {} },
      ],
    ],
    ['256 colours', `${ESC}[38;5;196mx`, [{ text: 'x', style: { fg: { rgb: '#ff0000' } } }]],
    ['truecolour background', `${ESC}[48;2;1;2;255mx`, [{ text: 'x', style: { bg: { rgb: '#0102ff' } } }]],
    [
      'default foreground keeps bold',
      `${ESC}[1;31ma${ESC}[39mb`,
      [
        { text: 'a', style: { bold: true, fg: { index: 1 } } },
        { text: 'b', style: { bold: true } },
      ],
    ],
    ['cursor and erase sequences vanish', `${ESC}[2K${ESC}[1Gdone`, [{ text: 'done', style: {} }]],
    ['OSC hyperlinks keep their text', `${ESC}]8;;https://x.test${ESC}\\link${ESC}]8;;${ESC}\\`, [{ text: 'link', style: {} }]],
    ['OSC title ended by BEL', `${ESC}]0;title\u0007text`, [{ text: 'text', style: {} }]],
    ['a lone ESC at the end', `end${ESC}`, [{ text: 'end', style: {} }]],
    ['private modes are not SGR', `${ESC}[?25lhidden cursor`, [{ text: 'hidden cursor', style: {} }]],
  ])('%s', (_name, input, expected) => {
    expect(parseAnsi(input)).toEqual(expected);
  });

  const text = fc.string({ unit: fc.constantFrom('a', 'b', ' ', '[', 'm', '1', ';', '\u0007', '\\', ']') });
  const escape = fc.oneof(
    fc.array(fc.integer({ min: 0, max: 300 }), { maxLength: 6 }).map((ps) => `${ESC}[${ps.join(';')}m`),
    fc.constantFrom(`${ESC}[2K`, `${ESC}[A`, `${ESC}]0;t\u0007`, `${ESC}]8;;u${ESC}\\`, ESC, `${ESC}[38;5`, `${ESC}[38;2;1m`),
  );
  const line = fc.array(fc.oneof(text, escape), { maxLength: 12 }).map((parts) => parts.join(''));

  it('never throws and never leaves an escape character in the text', () => {
    fc.assert(
      fc.property(line, (input) => {
        const segments = parseAnsi(input);
        for (const s of segments) {
          expect(s.text).not.toContain(ESC);
          expect(s.text.length).toBeGreaterThan(0);
        }
      }),
    );
  });

  it('keeps every character that is not part of an escape sequence, in order', () => {
    const complete = fc.oneof(
      fc.array(fc.integer({ min: 0, max: 300 }), { maxLength: 6 }).map((ps) => `${ESC}[${ps.join(';')}m`),
      fc.constantFrom(`${ESC}[2K`, `${ESC}[A`, `${ESC}[?25h`, `${ESC}]0;t\u0007`, `${ESC}]8;;u${ESC}\\`, `${ESC}c`),
    );
    fc.assert(
      fc.property(fc.array(fc.tuple(complete, text)), (pairs) => {
        const input = pairs.map(([e, t]) => e + t).join('');
        expect(stripAnsi(input)).toBe(pairs.map(([, t]) => t).join(''));
      }),
    );
  });

  it('merges neighbouring text of the same style into one segment', () => {
    fc.assert(
      fc.property(line, (input) => {
        const segments = parseAnsi(input);
        for (let i = 1; i < segments.length; i++) expect(segments[i]!.style).not.toBe(segments[i - 1]!.style);
      }),
    );
  });
});

describe('applySgr', () => {
  it('turns attributes off individually', () => {
    const on = applySgr({}, [1, 3, 4, 7, 9, 31, 44]);
    expect(applySgr(on, [22, 23, 24, 27, 29, 39, 49])).toEqual({});
  });

  it('ignores an extended colour with an unknown mode and everything after it', () => {
    expect(applySgr({}, [38, 9, 1])).toEqual({});
  });

  it('clamps out-of-range colour bytes', () => {
    expect(applySgr({}, [38, 2, 999, -1, 16])).toEqual({ fg: { rgb: '#ff0010' } });
  });
});

describe('color256', () => {
  it.each([
    [0, { index: 0 }],
    [15, { index: 15 }],
    [16, { rgb: '#000000' }],
    [21, { rgb: '#0000ff' }],
    [231, { rgb: '#ffffff' }],
    [232, { rgb: '#080808' }],
    [255, { rgb: '#eeeeee' }],
  ])('maps %i', (n, expected) => {
    expect(color256(n)).toEqual(expected);
  });
});

describe('styleToCss', () => {
  it('uses the theme palette for the 16 colours and swaps colours when inverse', () => {
    expect(styleToCss({ fg: { index: 1 }, bold: true })).toBe('color:var(--ansi-1);font-weight:700');
    expect(styleToCss({ inverse: true })).toBe('color:var(--log-bg);background-color:var(--log-fg)');
    expect(styleToCss({ underline: true, strike: true })).toBe('text-decoration:underline line-through');
    expect(styleToCss({})).toBe('');
  });
});
