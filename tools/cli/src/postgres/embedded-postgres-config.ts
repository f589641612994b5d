import { EnvReader } from '@cohort/platform';

/** Settings of the embedded PostgreSQL process, passed to it by `cohort up` through the environment. */
export interface EmbeddedPostgresConfig {
  /** Where PGlite keeps its database files (COHORT_EMBEDDED_PG_DIR). Required. */
  readonly dataDir: string;
  /** The file the process writes once it accepts connections, and removes on exit (COHORT_EMBEDDED_PG_STATE). Required. */
  readonly stateFile: string;
  /** Port to listen on (COHORT_EMBEDDED_PG_PORT); 0 picks a free one. @default 0 */
  readonly port: number;
  /** Interface to listen on (COHORT_EMBEDDED_PG_HOST). @default 127.0.0.1 */
  readonly host: string;
  /**
   * Connections accepted at once (COHORT_EMBEDDED_PG_MAX_CONNECTIONS). Every service's pool
   * counts; queries of all connections still run one at a time.
   * @default 100
   */
  readonly maxConnections: number;
}

export function readEmbeddedPostgresConfig(env: NodeJS.ProcessEnv = process.env): EmbeddedPostgresConfig {
  const read = new EnvReader(env);
  const config: EmbeddedPostgresConfig = {
    dataDir: read.required('COHORT_EMBEDDED_PG_DIR', 'the directory of the embedded database, e.g. .cohort/pgdata'),
    stateFile: read.required('COHORT_EMBEDDED_PG_STATE', 'the file announcing the listening port, e.g. .cohort/postgres.json'),
    port: read.integer('COHORT_EMBEDDED_PG_PORT', 0, { min: 0, max: 65_535 }),
    host: read.string('COHORT_EMBEDDED_PG_HOST', '127.0.0.1'),
    maxConnections: read.integer('COHORT_EMBEDDED_PG_MAX_CONNECTIONS', 100, { min: 1, max: 10_000 }),
  };
  read.done();
  return config;
}
