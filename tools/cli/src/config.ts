import { resolve } from 'node:path';

/** Settings of the command line, read from the environment once. */
export interface CliConfig {
  /** @default nats://127.0.0.1:4222 (NATS_URL) */
  readonly natsUrl: string;
  /** @default postgres://postgres@127.0.0.1:5432/postgres (DATABASE_URL) */
  readonly databaseUrl: string;
  /** Where `cohort up` keeps local state: NATS data, pids, logs. @default <repo>/.cohort (COHORT_DATA_DIR) */
  readonly dataDir: string;
  /** Prefix of every subject, stream and bucket. @default cohort (COHORT_NAMESPACE) */
  readonly namespace: string;
}

export function readCliConfig(env: NodeJS.ProcessEnv, repoRoot: string): CliConfig {
  return {
    natsUrl: env.NATS_URL || 'nats://127.0.0.1:4222',
    databaseUrl: env.DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/postgres',
    dataDir: resolve(env.COHORT_DATA_DIR || resolve(repoRoot, '.cohort')),
    namespace: env.COHORT_NAMESPACE || 'cohort',
  };
}
