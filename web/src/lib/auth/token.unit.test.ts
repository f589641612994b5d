import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { takeTokenFromFragment, TOKEN_KEY, TokenStore } from './token.js';

describe('takeTokenFromFragment', () => {
  it.each([
    ['#token=cohort_abc_def', { token: 'cohort_abc_def', rest: '' }],
    ['#token=t1&tab=logs', { token: 't1', rest: '#tab=logs' }],
    ['#section', { rest: '#section' }],
    ['', { rest: '' }],
    ['#token=', { rest: '' }],
    ['#token=a%2Bb', { token: 'a+b', rest: '' }],
  ])('%s', (hash, expected) => {
    expect(takeTokenFromFragment(hash)).toEqual(expected);
  });

  it('never leaves the token in the fragment', () => {
    fc.assert(
      fc.property(
        fc.stringMatching(/^[A-Za-z0-9_]{8,40}$/),
        fc.dictionary(fc.stringMatching(/^[a-z]{1,5}$/), fc.string()),
        (token, other) => {
          const params = new URLSearchParams(other);
          params.delete('token');
          params.set('token', token);
          const { token: taken, rest } = takeTokenFromFragment(`#${params.toString()}`);
          expect(taken).toBe(token);
          expect(new URLSearchParams(rest.slice(1)).has('token')).toBe(false);
        },
      ),
    );
  });
});

describe('TokenStore', () => {
  it('keeps the token in storage and clears it on sign-out', () => {
    const data = new Map<string, string>();
    const storage = {
      getItem: (k: string) => data.get(k) ?? null,
      setItem: (k: string, v: string) => void data.set(k, v),
      removeItem: (k: string) => void data.delete(k),
    };
    const store = new TokenStore(storage);
    store.set('tok');
    expect(data.get(TOKEN_KEY)).toBe('tok');
    expect(new TokenStore(storage).get()).toBe('tok');
    store.clear();
    expect(store.get()).toBeNull();
  });

  it('falls back to memory when storage throws', () => {
    const broken = {
      getItem: () => {
        throw new Error('denied');
      },
      setItem: () => {
        throw new Error('denied');
      },
      removeItem: () => {
        throw new Error('denied');
      },
    };
    const store = new TokenStore(broken);
    store.set('tok');
    expect(store.get()).toBe('tok');
  });
});
