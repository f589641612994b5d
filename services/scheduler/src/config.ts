import { DEFAULT_POLICY, resolvePolicy, type Policy } from '@cohort/domain';
import { EnvReader, readServiceBasics, type ServiceBasics } from '@cohort/platform';

export interface SchedulerConfig extends ServiceBasics {
  /**
   * How often every non-terminal task is reconciled again, whatever events arrived.
   * This is what finds stalled heartbeats and repairs lost messages.
   * @default 15_000
   */
  readonly resyncMs: number;
  /**
   * Runs at once over the whole installation (scheduled, provisioning or running).
   * @default 4
   */
  readonly maxConcurrentRuns: number;
  /**
   * Handlers of task events running at once in this replica.
   * @default 16
   */
  readonly concurrency: number;
  /**
   * How long NATS waits for this replica to acknowledge an event before handing
   * it to another replica; bounds the delay after a replica dies mid-event.
   * @default 30_000
   */
  readonly ackWaitMs: number;
  /**
   * Longest one task's reconcile pass may take before it is abandoned and
   * retried (its message redelivered, the resync going on with the next task).
   * @default 30_000
   */
  readonly passTimeoutMs: number;
  /**
   * The decision limits handed to the reconciler; see the variables in the README.
   * Among them, the time limits that keep a run from being stuck:
   * `maxRunDurationMs` (SCHEDULER_MAX_RUN_DURATION_MS, @default 3_600_000), how long
   * a run may be running, heartbeat or not; `provisioningTimeoutMs`
   * (SCHEDULER_PROVISIONING_TIMEOUT_MS, @default 600_000), how long a run may stay
   * scheduled with no workspace, and then provisioning with no agent started.
   */
  readonly policy: Policy;
}

/** Reads and validates the scheduler's settings; throws a ConfigError naming every bad variable. */
export function readSchedulerConfig(env: NodeJS.ProcessEnv = process.env): SchedulerConfig {
  const reader = new EnvReader(env);
  const basics = readServiceBasics(reader);
  const maxConcurrentRuns = reader.integer('SCHEDULER_MAX_CONCURRENT_RUNS', 4, { min: 1, max: 100_000 });
  const config: SchedulerConfig = {
    ...basics,
    resyncMs: reader.integer('SCHEDULER_RESYNC_MS', 15_000, { min: 10, max: 3_600_000 }),
    maxConcurrentRuns,
    concurrency: reader.integer('SCHEDULER_CONCURRENCY', 16, { min: 1, max: 1_000 }),
    ackWaitMs: reader.integer('SCHEDULER_ACK_WAIT_MS', 30_000, { min: 1_000, max: 3_600_000 }),
    passTimeoutMs: reader.integer('SCHEDULER_PASS_TIMEOUT_MS', 30_000, { min: 100, max: 3_600_000 }),
    policy: resolvePolicy({
      maxConcurrentRuns,
      stallThresholdMs: reader.integer('SCHEDULER_STALL_THRESHOLD_MS', DEFAULT_POLICY.stallThresholdMs, { min: 1 }),
      maxRunDurationMs: reader.integer('SCHEDULER_MAX_RUN_DURATION_MS', DEFAULT_POLICY.maxRunDurationMs, { min: 1 }),
      provisioningTimeoutMs: reader.integer('SCHEDULER_PROVISIONING_TIMEOUT_MS', DEFAULT_POLICY.provisioningTimeoutMs, { min: 1 }),
      maxRetries: reader.integer('SCHEDULER_MAX_RETRIES', DEFAULT_POLICY.maxRetries, { min: 0, max: 1_000 }),
      backoffBaseMs: reader.integer('SCHEDULER_RETRY_BACKOFF_MS', DEFAULT_POLICY.backoffBaseMs, { min: 0 }),
      backoffMaxMs: reader.integer('SCHEDULER_RETRY_BACKOFF_MAX_MS', DEFAULT_POLICY.backoffMaxMs, { min: 0 }),
      maxAutoResumes: reader.integer('SCHEDULER_MAX_AUTO_RESUMES', DEFAULT_POLICY.maxAutoResumes, { min: 0, max: 1_000 }),
    }),
  };
  reader.done();
  return config;
}
