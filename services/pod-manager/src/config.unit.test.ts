import { describe, expect, it } from 'vitest';
import { ConfigError } from '@cohort/platform';
import { readPodManagerConfig } from './config.js';
import { workspaceErrorInfo } from './workspace-error.js';
import { ErrorCategory } from '@cohort/contracts';

describe('readPodManagerConfig', () => {
  it('has defaults for everything', () => {
    const config = readPodManagerConfig({});
    expect(config).toMatchObject({
      natsUrl: 'nats://127.0.0.1:4222',
      namespace: 'cohort',
      healthPort: undefined,
      cleanupIntervalMs: 60_000,
      idleMirrorMs: 3_600_000,
      healthCheckIntervalMs: 30_000,
      maxHoldMs: 900_000,
    });
    expect(config.dataDir.endsWith('/.cohort')).toBe(true);
  });

  it('names every bad variable at once', () => {
    let error: unknown;
    try {
      readPodManagerConfig({ COHORT_NAMESPACE: 'Bad-NS', POD_MANAGER_CLEANUP_INTERVAL_MS: 'often' });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).problems).toEqual([
      expect.stringContaining('COHORT_NAMESPACE="Bad-NS"'),
      expect.stringContaining('POD_MANAGER_CLEANUP_INTERVAL_MS="often"'),
    ]);
  });
});

describe('workspaceErrorInfo', () => {
  it('names the failing setup command, its exit code and output', () => {
    const info = workspaceErrorInfo({
      category: 'setup_failed',
      message: 'setup failed',
      retryable: false,
      command: 'npm ci',
      exitCode: 1,
      outputTail: 'npm ERR! lockfile',
    });
    expect(info).toMatchObject({ category: ErrorCategory.STATE, retryable: false, title: 'Setup command failed' });
    expect(info.message).toBe('setup command `npm ci` failed (exit 1):\nnpm ERR! lockfile');
  });

  it.each([
    ['repo_unreachable', ErrorCategory.NETWORK, true],
    ['base_branch_missing', ErrorCategory.STATE, false],
    ['worktree_failed', ErrorCategory.RESOURCE, true],
    ['invalid_request', ErrorCategory.STATE, false],
  ] as const)('classifies %s', (category, expected, retryable) => {
    const info = workspaceErrorInfo({ category, message: 'm', retryable });
    expect(info).toMatchObject({ category: expected, retryable, message: 'm' });
    expect(info.remedy).not.toBe('');
  });
});
