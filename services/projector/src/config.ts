import { EnvReader, readServiceBasics, type ServiceBasics } from '@cohort/platform';

/** Settings of the projector, read from the environment once at start-up. */
export interface ProjectorConfig extends ServiceBasics {
  /** Postgres holding the projections (DATABASE_URL); required. */
  readonly databaseUrl: string;
  /**
   * Schema of the views readers query; generations live in `<schema>_g<n>` (PROJECTOR_SCHEMA).
   * @default the namespace
   */
  readonly schema: string;
  /**
   * Most events applied in one transaction (PROJECTOR_BATCH_SIZE).
   * @default 500
   */
  readonly batchSize: number;
  /**
   * How long a batch waits for more events once it has one (PROJECTOR_BATCH_LATENCY_MS).
   * @default 20
   */
  readonly batchLatencyMs: number;
  /**
   * Folded tasks kept in memory (PROJECTOR_CACHE_SIZE).
   * @default 10000
   */
  readonly cacheSize: number;
  /**
   * Postgres connections (PROJECTOR_DB_POOL_SIZE).
   * @default 4
   */
  readonly poolSize: number;
  /**
   * First wait after a failure, doubling up to 15 s (PROJECTOR_RETRY_DELAY_MS).
   * @default 500
   */
  readonly retryDelayMs: number;
  /**
   * How often a standby replica asks for the lock (PROJECTOR_STANDBY_POLL_MS).
   * @default 2000
   */
  readonly standbyPollMs: number;
}

export function readProjectorConfig(env: NodeJS.ProcessEnv = process.env): ProjectorConfig {
  const read = new EnvReader(env);
  const basics = readServiceBasics(read);
  const databaseUrl = read.required(
    'DATABASE_URL',
    'the Postgres the projections live in, e.g. postgres://postgres@127.0.0.1:5432/postgres',
  );
  if (databaseUrl && !/^postgres(ql)?:\/\//.test(databaseUrl)) {
    read.problem('DATABASE_URL must be a postgres:// or postgresql:// URL');
  }
  const schema = read.string('PROJECTOR_SCHEMA', basics.namespace);
  if (!/^[a-z][a-z0-9_]{0,40}$/.test(schema)) {
    read.problem(`PROJECTOR_SCHEMA=${JSON.stringify(schema)} is invalid: use lower-case letters, digits and "_", starting with a letter`);
  }
  const config: ProjectorConfig = {
    ...basics,
    databaseUrl,
    schema,
    batchSize: read.integer('PROJECTOR_BATCH_SIZE', 500, { min: 1, max: 10_000 }),
    batchLatencyMs: read.integer('PROJECTOR_BATCH_LATENCY_MS', 20, { min: 0, max: 10_000 }),
    cacheSize: read.integer('PROJECTOR_CACHE_SIZE', 10_000, { min: 0, max: 10_000_000 }),
    poolSize: read.integer('PROJECTOR_DB_POOL_SIZE', 4, { min: 1, max: 100 }),
    retryDelayMs: read.integer('PROJECTOR_RETRY_DELAY_MS', 500, { min: 1, max: 600_000 }),
    standbyPollMs: read.integer('PROJECTOR_STANDBY_POLL_MS', 2000, { min: 10, max: 600_000 }),
  };
  read.done();
  return config;
}
