import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { childTraceparent, createRootTraceparent, formatTraceparent, parseTraceparent, type RandomSource } from './trace-context.js';

const hex = (length: number) => fc.stringMatching(new RegExp(`^[0-9a-f]{${length}}$`));
const nonZeroHex = (length: number) => hex(length).filter((value) => !/^0+$/.test(value));
const seeded =
  (...chunks: number[][]): RandomSource =>
  (size) => {
    const chunk = chunks.shift() ?? [];
    return Uint8Array.from({ length: size }, (_, index) => chunk[index % Math.max(chunk.length, 1)] ?? 0);
  };

describe('traceparent parsing', () => {
  it('parses the example of the W3C spec', () => {
    expect(parseTraceparent('00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01')).toEqual({
      version: '00',
      traceId: '0af7651916cd43dd8448eb211c80319c',
      spanId: 'b7ad6b7169203331',
      flags: '01',
    });
  });

  it.each([
    ['empty', ''],
    ['upper-case hex', '00-0AF7651916CD43DD8448EB211C80319C-B7AD6B7169203331-01'],
    ['all-zero trace id', '00-00000000000000000000000000000000-b7ad6b7169203331-01'],
    ['all-zero span id', '00-0af7651916cd43dd8448eb211c80319c-0000000000000000-01'],
    ['forbidden version ff', 'ff-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01'],
    ['extra field on version 00', '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01-xyz'],
    ['short trace id', '00-0af7651916cd43dd8448eb211c80319-b7ad6b7169203331-01x'],
    ['wrong separators', '00_0af7651916cd43dd8448eb211c80319c_b7ad6b7169203331_01'],
    ['non-hex flags', '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-zz'],
  ])('rejects %s', (_what, header) => {
    expect(parseTraceparent(header)).toBeUndefined();
  });

  it('accepts a future version with appended fields, as the spec asks', () => {
    expect(parseTraceparent('01-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01-future')?.traceId).toBe(
      '0af7651916cd43dd8448eb211c80319c',
    );
  });

  it('round-trips every valid version-00 header (property)', () => {
    fc.assert(
      fc.property(nonZeroHex(32), nonZeroHex(16), hex(2), (traceId, spanId, flags) => {
        const header = formatTraceparent({ traceId, spanId, flags });
        expect(parseTraceparent(header)).toEqual({ version: '00', traceId, spanId, flags });
      }),
    );
  });

  it('never throws and only accepts 55-character version-00 headers (property)', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 80 }), (input) => {
        const parsed = parseTraceparent(`00-${input}`);
        if (parsed) expect(`00-${input}`.trim()).toHaveLength(55);
      }),
    );
  });

  it('rejects any single corrupted character of a valid header (property)', () => {
    const valid = '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01';
    fc.assert(
      fc.property(fc.integer({ min: 0, max: valid.length - 1 }), fc.constantFrom('g', 'X', ' ', '.', '-'), (index, bad) => {
        fc.pre(valid[index] !== bad);
        const corrupted = valid.slice(0, index) + bad + valid.slice(index + 1);
        fc.pre(!(index === 0 || index === 1) || bad !== '-');
        expect(parseTraceparent(corrupted)).toBeUndefined();
      }),
    );
  });
});

describe('traceparent creation', () => {
  it('makes a root from the injected random source', () => {
    expect(createRootTraceparent(seeded([0xab], [0xcd]))).toBe(`00-${'ab'.repeat(16)}-${'cd'.repeat(8)}-01`);
  });

  it('never makes an all-zero id, even from a source of zeros', () => {
    expect(parseTraceparent(createRootTraceparent(seeded([0], [0])))).toBeDefined();
  });

  it('keeps the trace and flags of the parent and takes a new span id', () => {
    const parent = '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-00';
    expect(childTraceparent(parent, seeded([0x11]))).toBe(`00-0af7651916cd43dd8448eb211c80319c-${'11'.repeat(8)}-00`);
  });

  it('starts a new trace when the parent is missing or invalid', () => {
    expect(childTraceparent('garbage', seeded([0x22], [0x33]))).toBe(`00-${'22'.repeat(16)}-${'33'.repeat(8)}-01`);
    expect(childTraceparent(undefined, seeded([0x22], [0x33]))).toBe(`00-${'22'.repeat(16)}-${'33'.repeat(8)}-01`);
  });
});
