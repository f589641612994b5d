import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { OutputTail, tailOf } from './output-tail.js';

describe('output tail', () => {
  it('keeps the last lines only', () => {
    expect(tailOf('1\n2\n3\n4\n', { maxLines: 2 })).toBe('3\n4');
  });

  it('cuts from the front when the kept lines exceed the character bound', () => {
    expect(tailOf('aaaa\nbbbb', { maxChars: 6 })).toBe('a\nbbbb');
    expect(tailOf('x'.repeat(100), { maxChars: 10 })).toBe('x'.repeat(10));
  });

  it('says whether earlier output was dropped', () => {
    const tail = new OutputTail({ maxLines: 2 });
    tail.push('a');
    tail.push('b');
    expect(tail.truncated).toBe(false);
    tail.push('c');
    expect(tail.truncated).toBe(true);
  });

  it('never exceeds its bounds and always ends with the end of the input', () => {
    fc.assert(
      fc.property(
        fc.array(fc.string({ unit: 'grapheme-ascii' }).filter((s) => !s.includes('\n') && !s.includes('\r'))),
        fc.integer({ min: 1, max: 20 }),
        fc.integer({ min: 1, max: 200 }),
        (lines, maxLines, maxChars) => {
          const tail = new OutputTail({ maxLines, maxChars });
          for (const line of lines) tail.push(line);
          const text = tail.text();
          const whole = lines.join('\n');
          return (
            text.length <= maxChars &&
            text.split('\n').length <= Math.max(1, maxLines) &&
            whole.endsWith(text) &&
            (lines.length > maxLines || whole.length > maxChars || text === whole)
          );
        },
      ),
    );
  });
});
