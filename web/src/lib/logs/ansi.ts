/**
 * A small parser for the ANSI SGR ("select graphic rendition") sequences agents
 * print. Other control sequences (cursor moves, erase, OSC titles and links) are
 * dropped so they never show up as garbage in the log view.
 */

/** A colour: an index into the 16-colour palette (themeable) or a fixed `#rrggbb`. */
export type AnsiColor = { readonly index: number } | { readonly rgb: string };

export interface AnsiStyle {
  readonly fg?: AnsiColor;
  readonly bg?: AnsiColor;
  readonly bold?: boolean;
  readonly dim?: boolean;
  readonly italic?: boolean;
  readonly underline?: boolean;
  readonly inverse?: boolean;
  readonly strike?: boolean;
}

export interface AnsiSegment {
  readonly text: string;
  readonly style: AnsiStyle;
}

const ESC = '\u001b';
// CSI (ESC [ params final), OSC (ESC ] ... BEL or ESC \), two-byte escapes, else the lone ESC.
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const ESCAPE = /\u001b(?:\[([0-9;:?<=>]*)([\x20-\x2f]*)([\x40-\x7e])|\][^\u0007\u001b]*(?:\u0007|\u001b\\)?|[\x30-\x7e]|)/g;

const hex2 = (n: number) => n.toString(16).padStart(2, '0');
const rgb = (r: number, g: number, b: number): AnsiColor => ({ rgb: `#${hex2(r)}${hex2(g)}${hex2(b)}` });
const byte = (n: number | undefined) => (n === undefined || !Number.isFinite(n) ? 0 : Math.max(0, Math.min(255, n)));

/** The xterm 256-colour palette entry `n` (16–255); 0–15 stay palette indexes. */
export function color256(n: number): AnsiColor {
  if (n < 16) return { index: n };
  if (n < 232) {
    const v = n - 16;
    const level = (c: number) => (c === 0 ? 0 : 55 + c * 40);
    return rgb(level(Math.floor(v / 36)), level(Math.floor(v / 6) % 6), level(v % 6));
  }
  const grey = 8 + (n - 232) * 10;
  return rgb(grey, grey, grey);
}

/** Applies one SGR parameter list to a style. */
export function applySgr(style: AnsiStyle, params: readonly number[]): AnsiStyle {
  let s: { -readonly [K in keyof AnsiStyle]: AnsiStyle[K] } = { ...style };
  const list = params.length === 0 ? [0] : params;
  for (let i = 0; i < list.length; i++) {
    const p = list[i]!;
    if (p === 0) s = {};
    else if (p === 1) s.bold = true;
    else if (p === 2) s.dim = true;
    else if (p === 3) s.italic = true;
    else if (p === 4) s.underline = true;
    else if (p === 7) s.inverse = true;
    else if (p === 9) s.strike = true;
    else if (p === 22) s.bold = s.dim = undefined;
    else if (p === 23) s.italic = undefined;
    else if (p === 24) s.underline = undefined;
    else if (p === 27) s.inverse = undefined;
    else if (p === 29) s.strike = undefined;
    else if (p >= 30 && p <= 37) s.fg = { index: p - 30 };
    else if (p === 39) s.fg = undefined;
    else if (p >= 40 && p <= 47) s.bg = { index: p - 40 };
    else if (p === 49) s.bg = undefined;
    else if (p >= 90 && p <= 97) s.fg = { index: p - 90 + 8 };
    else if (p >= 100 && p <= 107) s.bg = { index: p - 100 + 8 };
    else if (p === 38 || p === 48) {
      const mode = list[i + 1];
      let color: AnsiColor | undefined;
      if (mode === 5) {
        color = color256(byte(list[i + 2]));
        i += 2;
      } else if (mode === 2) {
        color = rgb(byte(list[i + 2]), byte(list[i + 3]), byte(list[i + 4]));
        i += 4;
      } else {
        i = list.length;
      }
      if (color) {
        if (p === 38) s.fg = color;
        else s.bg = color;
      }
    }
  }
  for (const key of Object.keys(s) as (keyof AnsiStyle)[]) if (s[key] === undefined) delete s[key];
  return s;
}

/**
 * Splits a line into runs of text with one style each. Never throws; the text of
 * the segments is the input without any escape sequence.
 */
export function parseAnsi(input: string, initial: AnsiStyle = {}): AnsiSegment[] {
  if (!input.includes(ESC)) return input.length === 0 ? [] : [{ text: input, style: initial }];
  const segments: AnsiSegment[] = [];
  let style = initial;
  let last = 0;
  const push = (text: string) => {
    if (text.length === 0) return;
    const previous = segments[segments.length - 1];
    if (previous && previous.style === style) segments[segments.length - 1] = { text: previous.text + text, style };
    else segments.push({ text, style });
  };
  ESCAPE.lastIndex = 0;
  for (let match = ESCAPE.exec(input); match; match = ESCAPE.exec(input)) {
    push(input.slice(last, match.index));
    last = match.index + match[0].length;
    if (match[3] === 'm' && match[2] === '' && !/[?<=>]/.test(match[1] ?? '')) {
      const params = (match[1] ?? '')
        .split(/[;:]/)
        .filter((p, i, all) => p !== '' || all.length === 1 || i < all.length - 1)
        .map((p) => (p === '' ? 0 : Number.parseInt(p, 10)));
      style = applySgr(style, params);
    }
  }
  push(input.slice(last));
  return segments;
}

/** The line without escape sequences: what search matches against. */
export function stripAnsi(input: string): string {
  return input.includes(ESC)
    ? parseAnsi(input)
        .map((s) => s.text)
        .join('')
    : input;
}

/** Inline CSS for a segment's style; palette colours use the theme's `--ansi-N` variables. */
export function styleToCss(style: AnsiStyle): string {
  const css = (c: AnsiColor) => ('index' in c ? `var(--ansi-${c.index})` : c.rgb);
  let fg = style.fg ? css(style.fg) : undefined;
  let bg = style.bg ? css(style.bg) : undefined;
  if (style.inverse) [fg, bg] = [bg ?? 'var(--log-bg)', fg ?? 'var(--log-fg)'];
  const parts: string[] = [];
  if (fg) parts.push(`color:${fg}`);
  if (bg) parts.push(`background-color:${bg}`);
  if (style.bold) parts.push('font-weight:700');
  if (style.dim) parts.push('opacity:.7');
  if (style.italic) parts.push('font-style:italic');
  const decorations = [style.underline ? 'underline' : '', style.strike ? 'line-through' : ''].filter(Boolean);
  if (decorations.length > 0) parts.push(`text-decoration:${decorations.join(' ')}`);
  return parts.join(';');
}
