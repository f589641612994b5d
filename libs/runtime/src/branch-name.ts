/** Prefix of every branch Cohort works on, so they never collide with people's branches. */
export const taskBranchPrefix = 'cohort/';

const safeIdPattern = /^[A-Za-z0-9][A-Za-z0-9_-]{0,99}$/;

/**
 * Whether `id` is usable as a task or run id in branch names and directory names:
 * 1-100 characters, letters, digits, `_` and `-`, not starting with a separator.
 */
export function isSafeId(id: string): boolean {
  return safeIdPattern.test(id);
}

/** The branch a task's runs work on: `cohort/<taskId>`. */
export function taskBranchName(taskId: string): string {
  return `${taskBranchPrefix}${taskId}`;
}

/**
 * Why `name` is not a valid branch name, or undefined when it is valid.
 * Follows `git check-ref-format --branch` rules so that an invalid name is
 * rejected with a readable reason before git is ever called.
 */
export function branchNameProblem(name: string): string | undefined {
  if (name.length === 0) return 'is empty';
  if (name.length > 200) return 'is longer than 200 characters';
  if (name.startsWith('-')) return 'starts with "-"';
  if (name.startsWith('/') || name.endsWith('/')) return 'starts or ends with "/"';
  if (name.endsWith('.')) return 'ends with "."';
  if (name === '@') return 'is "@"';
  if (name.includes('..')) return 'contains ".."';
  if (name.includes('//')) return 'contains "//"';
  if (name.includes('@{')) return 'contains "@{"';
  // Control characters, space and the characters git reserves for revision syntax.
  // eslint-disable-next-line no-control-regex
  if (/[\x00-\x20\x7f~^:?*[\\]/.test(name)) return 'contains a space, a control character or one of ~ ^ : ? * [ \\';
  for (const component of name.split('/')) {
    if (component.startsWith('.')) return `has a component starting with "." ("${component}")`;
    if (component.endsWith('.lock')) return `has a component ending with ".lock" ("${component}")`;
  }
  return undefined;
}

export function isValidBranchName(name: string): boolean {
  return branchNameProblem(name) === undefined;
}
