import { isAbsolute, resolve } from 'node:path';
import { EnvReader, readServiceBasics, type ServiceBasics } from '@cohort/platform';

/** Settings of pod-manager, read from the environment once at start-up. */
export interface PodManagerConfig extends ServiceBasics {
  /**
   * Directory of mirrors, worktrees, workspace records and scratch directories (COHORT_DATA_DIR);
   * exactly one pod-manager may own it. Relative paths are taken from the working directory.
   * @default "./.cohort"
   */
  readonly dataDir: string;
  /**
   * How often workspaces of finished runs and tasks, idle mirrors and orphaned directories are cleaned up.
   * @default 60000
   */
  readonly cleanupIntervalMs: number;
  /**
   * A mirror with no workspace that has not been used for this long is deleted by the cleanup.
   * @default 3600000 (1 hour)
   */
  readonly idleMirrorMs: number;
  /**
   * How often every live workspace is checked (missing directory, not a checkout, wrong branch).
   * @default 30000
   */
  readonly healthCheckIntervalMs: number;
  /**
   * Limit for each setup command of a repository; its process tree is killed when it passes.
   * @default 600000 (10 minutes)
   */
  readonly setupTimeoutMs: number;
  /**
   * Longest a RunScheduled message is held while its `notBefore` has not come yet; a later
   * time is waited for in several deliveries.
   * @default 900000 (15 minutes, the longest retry back-off of the default policy)
   */
  readonly maxHoldMs: number;
  /**
   * Messages handled at once; a RunScheduled waiting for its `notBefore` holds one. Provisioning
   * of one repository is serialized by the runtime, different repositories run in parallel.
   * @default 64
   */
  readonly concurrency: number;
  /**
   * Deliveries of an event whose handling fails (broken infrastructure) before it is given up on;
   * a RunScheduled then fails its run with a retryable WorkspaceFailed instead of a silent dead letter.
   * @default 5
   */
  readonly maxDeliveries: number;
}

/** Reads and validates the settings; throws a ConfigError naming every bad variable. */
export function readPodManagerConfig(env: NodeJS.ProcessEnv = process.env): PodManagerConfig {
  const read = new EnvReader(env);
  const basics = readServiceBasics(read);
  const dataDir = read.string('COHORT_DATA_DIR', './.cohort');
  const config: PodManagerConfig = {
    ...basics,
    dataDir: isAbsolute(dataDir) ? dataDir : resolve(dataDir),
    cleanupIntervalMs: read.integer('POD_MANAGER_CLEANUP_INTERVAL_MS', 60_000, { min: 100, max: 86_400_000 }),
    idleMirrorMs: read.integer('POD_MANAGER_IDLE_MIRROR_MS', 3_600_000, { min: 0, max: 30 * 86_400_000 }),
    healthCheckIntervalMs: read.integer('POD_MANAGER_HEALTH_CHECK_INTERVAL_MS', 30_000, { min: 100, max: 86_400_000 }),
    setupTimeoutMs: read.integer('POD_MANAGER_SETUP_TIMEOUT_MS', 600_000, { min: 100, max: 86_400_000 }),
    maxHoldMs: read.integer('POD_MANAGER_MAX_HOLD_MS', 900_000, { min: 0, max: 3_600_000 }),
    concurrency: read.integer('POD_MANAGER_CONCURRENCY', 64, { min: 1, max: 256 }),
    maxDeliveries: read.integer('POD_MANAGER_MAX_DELIVERIES', 5, { min: 1, max: 100 }),
  };
  read.done();
  return config;
}
