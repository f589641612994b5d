import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { branchNameProblem, isSafeId, isValidBranchName, taskBranchName } from './branch-name.js';

const safeId = fc.stringMatching(/^[A-Za-z0-9][A-Za-z0-9_-]{0,99}$/);

describe('branch names', () => {
  it.each([
    ['cohort/t-1', undefined],
    ['feature/a.b', undefined],
    ['', 'is empty'],
    ['-x', 'starts with "-"'],
    ['a..b', 'contains ".."'],
    ['a b', 'contains a space'],
    ['a~1', 'one of ~'],
    ['a:b', 'one of ~'],
    ['refs/x.lock', 'ending with ".lock"'],
    ['a/.hidden', 'starting with "."'],
    ['a//b', 'contains "//"'],
    ['a@{1}', 'contains "@{"'],
    ['trailing/', 'ends with "/"'],
    ['dot.', 'ends with "."'],
  ])('judges %j', (name, problem) => {
    if (problem === undefined) expect(branchNameProblem(name)).toBeUndefined();
    else expect(branchNameProblem(name)).toContain(problem);
  });

  it('makes a valid branch from every safe task id', () => {
    fc.assert(fc.property(safeId, (id) => isValidBranchName(taskBranchName(id)) && taskBranchName(id) === `cohort/${id}`));
  });

  it('rejects any name containing "..", whatever surrounds it', () => {
    fc.assert(fc.property(fc.string(), fc.string(), (a, b) => !isValidBranchName(`${a}..${b}`)));
  });

  it('accepts ids that can become paths only when they contain no separator or dot', () => {
    expect(isSafeId('t-1_a')).toBe(true);
    for (const bad of ['', '../x', 'a/b', 'a.b', '-a', 'a'.repeat(101)]) expect(isSafeId(bad)).toBe(false);
    fc.assert(fc.property(fc.string(), (s) => !isSafeId(s) || !/[./\\\s]/.test(s)));
  });
});
