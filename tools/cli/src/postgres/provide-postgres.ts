import { redactUrl } from '../doctor/check-postgres.js';
import { embeddedDatabaseUrl, embeddedPostgresPaths, runningEmbeddedPostgres, startEmbeddedPostgres } from './embedded-postgres.js';
import { createDatabase, databaseOf, probePostgres } from './probe-postgres.js';

export interface ProvidedPostgres {
  /** What the services get as DATABASE_URL. */
  readonly url: string;
  /** For people: the URL without its password, and how it came to be. */
  readonly report: {
    readonly url: string;
    readonly source: 'configured' | 'embedded';
    readonly createdDatabase?: string;
    readonly embedded?: {
      readonly pid: number;
      readonly host: string;
      readonly port: number;
      readonly dataDir: string;
      readonly started: boolean;
    };
  };
}

export interface ProvidePostgresOptions {
  readonly databaseUrl: string;
  /** The data dir of `cohort up`; the embedded database lives in its pgdata. */
  readonly dataDir: string;
  /** Where `tsx` resolves from, for the embedded process. */
  readonly repoRoot: string;
  /** 0 picks a free one. */
  readonly embeddedPort: number;
  readonly say: (line: string) => void;
}

export class PostgresRefused extends Error {
  constructor(url: string, reason: string) {
    super(
      `PostgreSQL at ${redactUrl(url)} answered but refused: ${reason}. Fix DATABASE_URL (user, password, database), ` +
        'or point it at an address where nothing listens to use the embedded PostgreSQL',
    );
    this.name = 'PostgresRefused';
  }
}

/**
 * The PostgreSQL of `cohort up`: the one at DATABASE_URL when it answers (its
 * database created if missing), otherwise the embedded one of the data dir,
 * started when it is not already running.
 */
export async function providePostgres(options: ProvidePostgresOptions): Promise<ProvidedPostgres> {
  const { databaseUrl, say } = options;
  const probe = await probePostgres(databaseUrl);
  if (probe.kind === 'ready' || probe.kind === 'missing-database') {
    if (probe.kind === 'missing-database') {
      await createDatabase(databaseUrl);
      say(`postgres  created database "${probe.database}"`);
    }
    say(`postgres  using ${redactUrl(databaseUrl)}${probe.kind === 'ready' ? ` (PostgreSQL ${probe.version})` : ''}`);
    return {
      url: databaseUrl,
      report: {
        url: redactUrl(databaseUrl),
        source: 'configured',
        ...(probe.kind === 'missing-database' ? { createdDatabase: probe.database } : {}),
      },
    };
  }
  if (probe.kind === 'refused') throw new PostgresRefused(databaseUrl, probe.reason);
  const paths = embeddedPostgresPaths(options.dataDir);
  let state = await runningEmbeddedPostgres(paths);
  const started = !state;
  if (state) {
    say(`postgres  using the embedded PostgreSQL (pid ${state.pid}) at ${state.host}:${state.port}`);
  } else {
    say(`postgres  nothing answers at ${redactUrl(databaseUrl)}; starting the embedded PostgreSQL (PGlite), data in ${paths.pgdata}`);
    state = await startEmbeddedPostgres(paths, { cwd: options.repoRoot, port: options.embeddedPort });
    say(`postgres  embedded PostgreSQL (pid ${state.pid}) at ${state.host}:${state.port}`);
  }
  const url = embeddedDatabaseUrl(state, databaseOf(databaseUrl));
  return {
    url,
    report: { url, source: 'embedded', embedded: { pid: state.pid, host: state.host, port: state.port, dataDir: paths.pgdata, started } },
  };
}
