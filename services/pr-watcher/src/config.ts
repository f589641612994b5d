import { isAbsolute, resolve } from 'node:path';
import { EnvReader, readServiceBasics, type ServiceBasics } from '@cohort/platform';

/** Settings of pr-watcher, read from the environment once at start-up. */
export interface PrWatcherConfig extends ServiceBasics {
  /**
   * Directory of the local forge's pull request records, one folder per repository
   * (COHORT_DATA_DIR); exactly one pr-watcher may own it. Relative paths are taken from the working directory.
   * @default "./.cohort"
   */
  readonly dataDir: string;
  /**
   * How often open pull requests are checked for conflicts with a base that moved.
   * @default 30000
   */
  readonly conflictPollIntervalMs: number;
  /**
   * Limit for one CI run of a pull request head; the command's process group is killed when it passes.
   * @default 600000 (10 minutes)
   */
  readonly ciTimeoutMs: number;
  /**
   * Pull requests whose CI runs at once (one task's events are handled in order).
   * @default 8
   */
  readonly concurrency: number;
  /**
   * Committer of squash-merge commits.
   * @default Cohort <cohort@localhost>
   */
  readonly committer: { readonly name: string; readonly email: string };
}

/** Reads and validates the settings; throws a ConfigError naming every bad variable. */
export function readPrWatcherConfig(env: NodeJS.ProcessEnv = process.env): PrWatcherConfig {
  const read = new EnvReader(env);
  const basics = readServiceBasics(read);
  const dataDir = read.string('COHORT_DATA_DIR', './.cohort');
  const config: PrWatcherConfig = {
    ...basics,
    dataDir: isAbsolute(dataDir) ? dataDir : resolve(dataDir),
    conflictPollIntervalMs: read.integer('PR_WATCHER_CONFLICT_POLL_INTERVAL_MS', 30_000, { min: 100, max: 86_400_000 }),
    ciTimeoutMs: read.integer('PR_WATCHER_CI_TIMEOUT_MS', 600_000, { min: 100, max: 86_400_000 }),
    concurrency: read.integer('PR_WATCHER_CONCURRENCY', 8, { min: 1, max: 256 }),
    committer: {
      name: read.string('PR_WATCHER_COMMITTER_NAME', 'Cohort'),
      email: read.string('PR_WATCHER_COMMITTER_EMAIL', 'cohort@localhost'),
    },
  };
  read.done();
  return config;
}
