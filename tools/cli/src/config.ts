import { resolve } from 'node:path';
import { EnvReader } from '@cohort/platform';

/** Settings of the command line, read from the environment once. */
export interface CliConfig {
  /** @default nats://127.0.0.1:4222 (NATS_URL) */
  readonly natsUrl: string;
  /**
   * PostgreSQL of the projections. `cohort up` uses it when it answers (creating the
   * database if missing) and otherwise starts an embedded one under the data dir.
   * @default postgres://postgres@127.0.0.1:5432/cohort (DATABASE_URL)
   */
  readonly databaseUrl: string;
  /** Where `cohort up` keeps local state: NATS data, the embedded database, pids, logs. @default <repo>/.cohort (COHORT_DATA_DIR) */
  readonly dataDir: string;
  /** Prefix of every subject, stream and bucket. @default cohort (COHORT_NAMESPACE) */
  readonly namespace: string;
  /** Port of the embedded PostgreSQL; 0 picks a free one at each start. @default 0 (COHORT_EMBEDDED_PG_PORT) */
  readonly embeddedPostgresPort: number;
  /** Port of the GraphQL gateway started by `cohort up`. @default 4000 (GATEWAY_PORT) */
  readonly gatewayPort: number;
  /** Interface the gateway listens on; 0.0.0.0 exposes it beyond this machine. @default 127.0.0.1 (GATEWAY_HOST) */
  readonly gatewayHost: string;
  /** Port of the dashboard started by `cohort up`. @default 3000 (WEB_PORT) */
  readonly webPort: number;
  /** Interface the dashboard listens on. @default 127.0.0.1 (WEB_HOST) */
  readonly webHost: string;
  /** Whether `cohort up` builds the dashboard when web/build is missing or older than its sources. @default true (COHORT_WEB_BUILD) */
  readonly buildWeb: boolean;
  /** The gateway's admin token; unset, `cohort up` generates one and keeps it in the data dir. (COHORT_ADMIN_TOKEN) */
  readonly adminToken: string | undefined;
}

/** Reads and validates the settings; a ConfigError names every variable at fault. */
export function readCliConfig(env: NodeJS.ProcessEnv, repoRoot: string): CliConfig {
  const read = new EnvReader(env);
  const databaseUrl = read.string('DATABASE_URL', 'postgres://postgres@127.0.0.1:5432/cohort');
  if (!/^postgres(ql)?:$/.test(protocolOf(databaseUrl))) {
    read.problem('DATABASE_URL is not a PostgreSQL URL: use e.g. postgres://user@host:5432/cohort');
  }
  const config: CliConfig = {
    natsUrl: read.string('NATS_URL', 'nats://127.0.0.1:4222'),
    databaseUrl,
    dataDir: resolve(read.string('COHORT_DATA_DIR', resolve(repoRoot, '.cohort'))),
    namespace: read.string('COHORT_NAMESPACE', 'cohort'),
    embeddedPostgresPort: read.integer('COHORT_EMBEDDED_PG_PORT', 0, { min: 0, max: 65_535 }),
    gatewayPort: read.integer('GATEWAY_PORT', 4000, { min: 1, max: 65_535 }),
    gatewayHost: read.string('GATEWAY_HOST', '127.0.0.1'),
    webPort: read.integer('WEB_PORT', 3000, { min: 1, max: 65_535 }),
    webHost: read.string('WEB_HOST', '127.0.0.1'),
    buildWeb: read.boolean('COHORT_WEB_BUILD', true),
    adminToken: read.string('COHORT_ADMIN_TOKEN', '') || undefined,
  };
  read.done();
  return config;
}

function protocolOf(url: string): string {
  try {
    return new URL(url).protocol;
  } catch {
    return '';
  }
}
