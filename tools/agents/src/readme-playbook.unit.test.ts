import { readFileSync } from 'node:fs';
import { parsePlaybook } from '@cohort/agents';
import { describe, expect, it } from 'vitest';

describe('the README playbook example', () => {
  it('is a valid playbook with a failing first attempt and a CI fix', () => {
    const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
    const example = /```yaml\n([\s\S]*?)```/.exec(readme)?.[1];
    expect(example).toBeDefined();
    const result = parsePlaybook(example ?? '');
    expect(result).toMatchObject({ ok: true });
    if (!result.ok) return;
    expect([...result.value.keys()]).toEqual(['initial', 'resume:ci_failure', 'review', 'default']);
    expect(result.value.get('resume:ci_failure')).toContainEqual({ type: 'patch', path: 'src/sum.js', find: 'a - b', replace: 'a + b' });
  });
});
