import { describe, expect, it } from 'vitest';
import { ErrorCategory } from '@cohort/contracts';
import { DEFAULT_PRICES, costOf, mergePriceTable, priceFor } from './cost.js';
import { ERROR_RULES, classifyError } from './error-classifier.js';
import { DEFAULT_POLICY, backoffDelayMs, resolvePolicy, seededFraction } from './policy.js';

describe('policy', () => {
  it('documents the defaults the issue asks for', () => {
    expect(DEFAULT_POLICY).toMatchObject({ maxAutoResumes: 10, maxRetries: 3, backoffBaseMs: 30_000, stallThresholdMs: 600_000 });
    expect(Object.isFrozen(DEFAULT_POLICY)).toBe(true);
  });
  it('overrides single values', () => {
    expect(resolvePolicy({ maxRetries: 5 })).toMatchObject({ maxRetries: 5, maxAutoResumes: 10 });
    expect(resolvePolicy()).toEqual(DEFAULT_POLICY);
  });
  it('draws deterministic fractions in [0, 1)', () => {
    const values = Array.from({ length: 200 }, (_, i) => seededFraction(42, `k${i}`));
    expect(values.every((v) => v >= 0 && v < 1)).toBe(true);
    expect(seededFraction(42, 'k1')).toBe(values[1]);
    expect(new Set(values).size).toBeGreaterThan(190);
  });
  it('backs off exponentially, capped, with jitter never above the raw delay', () => {
    const p = resolvePolicy({ backoffJitter: 0 });
    expect([1, 2, 3, 10].map((n) => backoffDelayMs(p, n, 0, 'k'))).toEqual([30_000, 60_000, 120_000, 900_000]);
    expect(backoffDelayMs(p, 0, 0, 'k')).toBe(30_000);
    const jittered = backoffDelayMs(DEFAULT_POLICY, 2, 7, 'k');
    expect(jittered).toBeGreaterThan(60_000 * 0.8 - 1);
    expect(jittered).toBeLessThanOrEqual(60_000);
  });
});

describe('error classifier', () => {
  it.each([
    ['Failed to pull image "ghcr.io/acme/ws:1": ErrImagePull', ErrorCategory.IMAGE, false],
    ['HTTP 401 Bad credentials', ErrorCategory.AUTH, false],
    ['429 Too Many Requests: rate limit exceeded', ErrorCategory.QUOTA, true],
    ['context deadline exceeded', ErrorCategory.TIMEOUT, true],
    ['connect ECONNREFUSED 10.0.0.1:4222', ErrorCategory.NETWORK, true],
    ['container OOMKilled', ErrorCategory.RESOURCE, true],
    ['! [rejected] cohort/t1 (non-fast-forward)', ErrorCategory.STATE, false],
    ['agent exited with code 2', ErrorCategory.AGENT, true],
    ['something odd', ErrorCategory.UNKNOWN, true],
  ])('classifies "%s"', (message, category, retryable) => {
    const info = classifyError(message);
    expect(info).toMatchObject({ category, retryable, message });
    expect(info.title).not.toBe('');
    expect(info.remedy).not.toBe('');
  });

  it('has a rule for every category except unknown', () => {
    const categories = new Set(ERROR_RULES.map((r) => r.category));
    expect(categories.size).toBe(8);
  });

  it('accepts extra rules from configuration', () => {
    expect(
      classifyError('weird', [{ category: ErrorCategory.AGENT, patterns: [/weird/], retryable: false, title: 'T', remedy: 'R' }]),
    ).toMatchObject({ category: ErrorCategory.AGENT, title: 'T' });
  });
});

describe('cost', () => {
  const usage = { inputTokens: 1_000_000, cachedInputTokens: 2_000_000, outputTokens: 100_000, costUsd: 0, model: 'claude-sonnet-4' };
  it('keeps the cost the agent reported', () => {
    expect(costOf({ ...usage, costUsd: 1.23 })).toEqual({ ok: true, costUsd: 1.23, source: 'reported' });
  });
  it('prices tokens from the table when the agent reports no cost', () => {
    expect(costOf(usage)).toEqual({ ok: true, costUsd: 3 + 0.6 + 1.5, source: 'price_table' });
  });
  it('matches dated model names by prefix, longest first', () => {
    expect(priceFor('gpt-5-mini-2025-08-07')).toBe(DEFAULT_PRICES['gpt-5-mini']);
    expect(priceFor('unknown-model')).toBeUndefined();
  });
  it('uses an overridden price table', () => {
    const table = mergePriceTable(DEFAULT_PRICES, { 'claude-sonnet-4': { inputPerMTok: 1, cachedInputPerMTok: 0, outputPerMTok: 0 } });
    expect(costOf(usage, table)).toMatchObject({ costUsd: 1 });
  });
  it('says which model has no price', () => {
    expect(costOf({ ...usage, model: 'mystery' })).toMatchObject({ ok: false, message: expect.stringContaining('"mystery"') });
    expect(costOf({ ...usage, model: 'mystery', inputTokens: 0, cachedInputTokens: 0, outputTokens: 0 })).toEqual({
      ok: true,
      costUsd: 0,
      source: 'price_table',
    });
  });
});
