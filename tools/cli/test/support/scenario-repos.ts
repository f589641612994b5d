/** Files of a small repository whose CI passes once greeting.txt names Cohort, plus a playbook. */
export function greetingRepo(playbook: string): Record<string, string> {
  return {
    'greeting.txt': 'Hello, world\n',
    'notes.txt': 'line one\nline two\n',
    'ci.sh': `#!/bin/sh
if grep -q 'Hello, Cohort' greeting.txt; then echo "ok - greeting"; else echo "not ok - greeting.txt says: $(cat greeting.txt)"; exit 1; fi
`,
    '.cohort/playbook.yaml': playbook,
  };
}

/** Asserts that `expected` occurs in `actual` in this order (other types may come between). */
export function isSubsequence(actual: readonly string[], expected: readonly string[]): boolean {
  let i = 0;
  for (const type of actual) if (type === expected[i]) i++;
  return i === expected.length;
}

export const count = (types: readonly string[], type: string) => types.filter((t) => t === type).length;
