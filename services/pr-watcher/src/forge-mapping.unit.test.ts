import { describe, expect, it } from 'vitest';
import { CheckStatus, ErrorCategory, ReviewVerdict } from '@cohort/contracts';
import { ConfigError } from '@cohort/platform';
import { readPrWatcherConfig } from './config.js';
import { checksOf, forgeVerdict, mergeErrorInfo } from './forge-mapping.js';
import { localPath } from './forge-registry.js';

describe('forgeVerdict', () => {
  it.each([
    [ReviewVerdict.APPROVED, 'approve'],
    [ReviewVerdict.CHANGES_REQUESTED, 'request_changes'],
    [ReviewVerdict.COMMENTED, 'comment'],
    [ReviewVerdict.UNSPECIFIED, undefined],
    [42 as ReviewVerdict, undefined],
  ])('maps %s to %s', (verdict, expected) => {
    expect(forgeVerdict(verdict)).toBe(expected);
  });
});

describe('checksOf', () => {
  it('keeps name, status and output tail of every check', () => {
    const checks = checksOf({ status: 'failing', headSha: 'abc', checks: [{ name: 'ci', status: 'failing', outputTail: 'boom' }] });
    expect(checks.map((c) => [c.name, c.status, c.outputTail])).toEqual([['ci', CheckStatus.FAILING, 'boom']]);
  });
});

describe('mergeErrorInfo', () => {
  it('names the conflicting files in the remedy', () => {
    const info = mergeErrorInfo({ category: 'conflict', message: 'conflicts', conflictingFiles: ['a.ts', 'b.ts'] });
    expect(info).toMatchObject({ category: ErrorCategory.STATE, retryable: false, title: 'Merge conflict', message: 'conflicts' });
    expect(info.remedy).toContain('a.ts, b.ts');
  });

  it('marks only a base that moved mid-merge as retryable', () => {
    expect(mergeErrorInfo({ category: 'base_moved', message: 'm' }).retryable).toBe(true);
    expect(mergeErrorInfo({ category: 'head_changed', message: 'm' }).retryable).toBe(false);
  });
});

describe('localPath', () => {
  it.each([
    ['/srv/git/demo.git', '/srv/git/demo.git'],
    ['file:///srv/git/demo.git', '/srv/git/demo.git'],
    ['https://github.com/acme/web.git', undefined],
    ['ssh://git@host/acme/web.git', undefined],
    ['git@github.com:acme/web.git', undefined],
  ])('%s → %s', (url, expected) => {
    expect(localPath(url)).toBe(expected);
  });
});

describe('readPrWatcherConfig', () => {
  it('has defaults for everything and names bad variables', () => {
    expect(readPrWatcherConfig({})).toMatchObject({ healthPort: undefined, conflictPollIntervalMs: 30_000, ciTimeoutMs: 600_000 });
    expect(() => readPrWatcherConfig({ PR_WATCHER_CI_TIMEOUT_MS: '-1' })).toThrow(ConfigError);
    expect(() => readPrWatcherConfig({ PR_WATCHER_CI_TIMEOUT_MS: '-1' })).toThrow(/PR_WATCHER_CI_TIMEOUT_MS="-1"/);
  });
});
