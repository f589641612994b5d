import { describe, expect, it } from 'vitest';
import { parseMergeTreeOutput } from './merge-tree.js';

const tree = 'a2df1e5f59a0d13ee1d36f52f087d2d7cfa79d26';

describe('parseMergeTreeOutput', () => {
  it('reads a clean merge as its tree', () => {
    expect(parseMergeTreeOutput(tree, 0)).toEqual({ clean: true, tree });
  });

  it('lists each conflicting file once, sorted', () => {
    expect(parseMergeTreeOutput(`${tree}\nsrc/b.ts\nsrc/a.ts\nsrc/b.ts\n`, 1)).toEqual({
      clean: false,
      tree,
      conflictingFiles: ['src/a.ts', 'src/b.ts'],
    });
  });

  it('refuses output that does not start with a tree id', () => {
    expect(() => parseMergeTreeOutput('fatal: something', 1)).toThrow('unexpected merge-tree output');
  });
});
