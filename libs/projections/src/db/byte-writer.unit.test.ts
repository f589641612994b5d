import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { ByteWriter } from './byte-writer.js';

describe('ByteWriter', () => {
  it('holds what was written as UTF-8, growing as needed, and earlier views keep their bytes', () => {
    fc.assert(
      fc.property(fc.array(fc.oneof(fc.string({ unit: 'grapheme' }), fc.uint8Array())), (pieces) => {
        const writer = new ByteWriter(8);
        const views: [Uint8Array, Uint8Array][] = [];
        for (const piece of pieces) {
          const start = writer.size;
          if (typeof piece === 'string') writer.write(piece);
          else writer.append(piece);
          views.push([writer.since(start), typeof piece === 'string' ? Buffer.from(piece) : piece]);
        }
        for (const [view, expected] of views) expect(Buffer.from(view)).toEqual(Buffer.from(expected));
        expect(writer.size).toBe(views.reduce((n, [, expected]) => n + expected.length, 0));
      }),
    );
  });

  it('starts again from empty after a reset', () => {
    const writer = new ByteWriter(4);
    writer.write('héllo');
    writer.reset();
    writer.write('ok');
    expect(Buffer.from(writer.since(0)).toString()).toBe('ok');
  });
});
