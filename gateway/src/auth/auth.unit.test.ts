import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { hashToken, issueToken, parseBearer, sameHash } from './api-token.js';
import { requiredScope } from './required-scopes.js';
import { grants, SCOPES, type Scope } from './scope.js';

describe('scopes', () => {
  it.each<[Scope[], Scope, boolean]>([
    [['read'], 'read', true],
    [['read'], 'write', false],
    [['write'], 'read', true],
    [['write'], 'admin', false],
    [['admin'], 'write', true],
    [[], 'read', false],
  ])('%j grants %s: %s', (scopes, needed, expected) => {
    expect(grants(scopes, needed)).toBe(expected);
  });

  it('grants exactly the scopes at or below the highest one held (property)', () => {
    fc.assert(
      fc.property(fc.subarray([...SCOPES]), fc.constantFrom(...SCOPES), (held, needed) => {
        const highest = Math.max(-1, ...held.map((s) => SCOPES.indexOf(s)));
        expect(grants(held, needed)).toBe(highest >= SCOPES.indexOf(needed));
      }),
    );
  });

  it('needs admin for secrets and tokens, write for other mutations, read for the rest', () => {
    expect(requiredScope('Query', 'tasks')).toBe('read');
    expect(requiredScope('Query', 'secrets')).toBe('admin');
    expect(requiredScope('Query', 'apiTokens')).toBe('admin');
    expect(requiredScope('Mutation', 'createTask')).toBe('write');
    expect(requiredScope('Mutation', 'setSecret')).toBe('admin');
    expect(requiredScope('Mutation', 'revokeApiToken')).toBe('admin');
    expect(requiredScope('Subscription', 'taskLogs')).toBe('read');
  });
});

describe('tokens', () => {
  it('issues cohort_<id>_<secret> tokens with 256 random bits, never twice the same', () => {
    const a = issueToken();
    const b = issueToken();
    expect(a.value).toMatch(/^cohort_[0-9a-f]{12}_[0-9a-f]{64}$/);
    expect(a.value.startsWith(`cohort_${a.id}_`)).toBe(true);
    expect(a.value).not.toBe(b.value);
  });

  it('compares hashes only when equal (property)', () => {
    fc.assert(
      fc.property(fc.string(), fc.string(), (x, y) => {
        expect(sameHash(hashToken(x), hashToken(y))).toBe(x === y);
      }),
    );
  });

  it.each([
    [undefined, 'missing', 'no API token given'],
    ['', 'missing', 'no API token given'],
    ['Basic dXNlcjpwYXNz', 'malformed', 'not of the form "Bearer <token>"'],
    ['Bearer', 'malformed', 'not of the form'],
    ['Bearer a b', 'malformed', 'not of the form'],
    [42, 'malformed', 'not a string'],
  ])('refuses the authorization %j as %s', (header, reason, message) => {
    const result = parseBearer(header);
    expect(result).toMatchObject({ ok: false, reason });
    expect(!result.ok && result.message).toContain(message);
  });

  it('reads the token of "Bearer <token>", in any case of Bearer', () => {
    expect(parseBearer('bearer cohort_abc_def')).toEqual({ ok: true, token: 'cohort_abc_def' });
  });
});
