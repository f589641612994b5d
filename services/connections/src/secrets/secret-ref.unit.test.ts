import { describe, expect, it } from 'vitest';
import { formatScope, parseScope, secretKey, validateSecretName } from './secret-ref.js';

describe('secret references', () => {
  it.each([
    ['', { kind: 'global' }],
    ['global', { kind: 'global' }],
    ['repo:acme-web', { kind: 'repo', repoId: 'acme-web' }],
  ])('parses the scope %j', (raw, scope) => {
    expect(parseScope(raw)).toEqual({ ok: true, scope });
  });

  it.each(['repo:', 'repo:a.b', 'team:x', 'repo:a b'])('rejects the scope %j with what is accepted', (raw) => {
    const parsed = parseScope(raw);
    expect(parsed.ok).toBe(false);
    expect(!parsed.ok && parsed.message).toContain('use "global" or "repo:<repoId>"');
  });

  it.each(['GITHUB_TOKEN', '_X', 'a1'])('accepts the environment-variable name %j', (name) => {
    expect(validateSecretName(name)).toBeUndefined();
  });

  it.each(['1X', 'A-B', 'A.B', '', 'A B'])('rejects the name %j', (name) => {
    expect(validateSecretName(name)).toContain(JSON.stringify(name));
  });

  it('keeps global and repo keys apart and formats scopes back', () => {
    expect(secretKey({ kind: 'global' }, 'T')).toBe('global.T');
    expect(secretKey({ kind: 'repo', repoId: 'r1' }, 'T')).toBe('repo.r1.T');
    expect(formatScope({ kind: 'repo', repoId: 'r1' })).toBe('repo:r1');
  });
});
