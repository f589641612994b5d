import { embeddedPostgresPaths, runningEmbeddedPostgres } from '../postgres/embedded-postgres.js';
import { probePostgres } from '../postgres/probe-postgres.js';
import { failed, passed, type CheckResult } from './check.js';

/**
 * PostgreSQL at DATABASE_URL usable, or nothing there so that `cohort up` uses its
 * embedded one. The URL's password never appears in the output.
 */
export async function checkPostgres(url: string, dataDir: string): Promise<CheckResult> {
  const shown = redactUrl(url);
  const probe = await probePostgres(url);
  switch (probe.kind) {
    case 'ready':
      return passed('postgres', `PostgreSQL ${probe.version} at ${shown}`);
    case 'missing-database':
      return passed('postgres', `PostgreSQL answers at ${shown}; ./cohort up creates the database "${probe.database}"`);
    case 'refused':
      return failed(
        'postgres',
        `PostgreSQL at ${shown} refused: ${probe.reason}`,
        'fix the user, password or database in DATABASE_URL, or point it at an address where nothing listens to use the embedded PostgreSQL',
      );
    case 'unreachable': {
      const paths = embeddedPostgresPaths(dataDir);
      const embedded = await runningEmbeddedPostgres(paths);
      return passed(
        'postgres',
        embedded
          ? `nothing answers at ${shown}; the embedded PostgreSQL of ./cohort up runs at ${embedded.host}:${embedded.port} (pid ${embedded.pid})`
          : `nothing answers at ${shown} (${probe.reason}); ./cohort up starts an embedded PostgreSQL (PGlite) with its data in ${paths.pgdata}`,
      );
    }
  }
}

export function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    return '<unparseable url>';
  }
}
