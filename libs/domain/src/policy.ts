/**
 * Every tunable decision limit in one place. Services read overrides from their
 * config module and pass a `Policy` in; the domain never reads configuration.
 */
export interface Policy {
  /**
   * Resumes the reconciler may start on its own (CI failure, review, conflict)
   * since the last human action, before the task needs attention.
   * @default 10
   */
  readonly maxAutoResumes: number;
  /**
   * Automatic retries of a failed or stalled run before the task fails.
   * @default 3
   */
  readonly maxRetries: number;
  /**
   * First retry delay; doubles on each further retry.
   * @default 30_000
   */
  readonly backoffBaseMs: number;
  /**
   * Upper bound of one retry delay.
   * @default 900_000 (15 minutes)
   */
  readonly backoffMaxMs: number;
  /**
   * Fraction of the delay that is randomised (from the world's seed) so that
   * many tasks failing together do not retry in lockstep. 0 disables jitter.
   * @default 0.2
   */
  readonly backoffJitter: number;
  /**
   * A running run whose heartbeat is older than this has stalled and is timed out.
   * @default 600_000 (10 minutes)
   */
  readonly stallThresholdMs: number;
  /**
   * A run that has been running longer than this is timed out, heartbeat or not:
   * an agent that hangs while its process lives keeps its heartbeat going.
   * @default 3_600_000 (60 minutes)
   */
  readonly maxRunDurationMs: number;
  /**
   * A run that has not started this long after it could (scheduled and its
   * `notBefore` passed, with no workspace ready; or its workspace ready, with no
   * agent started) is stuck, e.g. pod-manager is down or a WorkspaceReady was
   * lost, and is timed out. Each of the two stages gets this long.
   * @default 600_000 (10 minutes)
   */
  readonly provisioningTimeoutMs: number;
  /**
   * Budget for tasks created without one, in USD. 0 means unlimited.
   * @default 0
   */
  readonly defaultBudgetUsd: number;
  /**
   * Runs at once over the whole installation.
   * @default 8
   */
  readonly maxConcurrentRuns: number;
  /**
   * Runs at once per repository.
   * @default 2
   */
  readonly maxConcurrentRunsPerRepo: number;
}

export const DEFAULT_POLICY: Policy = Object.freeze({
  maxAutoResumes: 10,
  maxRetries: 3,
  backoffBaseMs: 30_000,
  backoffMaxMs: 900_000,
  backoffJitter: 0.2,
  stallThresholdMs: 600_000,
  maxRunDurationMs: 3_600_000,
  provisioningTimeoutMs: 600_000,
  defaultBudgetUsd: 0,
  maxConcurrentRuns: 8,
  maxConcurrentRunsPerRepo: 2,
});

/** Overrides on top of the defaults; unknown keys are impossible by type. */
export function resolvePolicy(overrides: Partial<Policy> = {}): Policy {
  return Object.freeze({ ...DEFAULT_POLICY, ...overrides });
}

/**
 * A deterministic number in [0, 1) from a seed and a key (FNV-1a, then an
 * avalanche step). Same inputs, same output — this is how jitter stays pure.
 */
export function seededFraction(seed: number | string, key: string): number {
  let h = 0x811c9dc5;
  const text = `${seed}:${key}`;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return (h >>> 0) / 0x1_0000_0000;
}

/**
 * Delay before retry number `retry` (1-based): base × 2^(retry-1), capped, then
 * reduced by up to `backoffJitter` of itself using the seed. Never negative.
 */
export function backoffDelayMs(policy: Policy, retry: number, seed: number | string, key: string): number {
  const exponent = Math.max(0, retry - 1);
  const raw = Math.min(policy.backoffMaxMs, policy.backoffBaseMs * 2 ** exponent);
  const jitter = policy.backoffJitter > 0 ? raw * policy.backoffJitter * seededFraction(seed, key) : 0;
  return Math.max(0, Math.round(raw - jitter));
}
