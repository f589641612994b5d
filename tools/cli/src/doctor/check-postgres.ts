import pg from 'pg';
import { failed, passed, type CheckResult } from './check.js';

/** Postgres reachable with the configured credentials. The URL's password never appears in the output. */
export async function checkPostgres(url: string): Promise<CheckResult> {
  const shown = redactUrl(url);
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 2000 });
  try {
    await client.connect();
    const { rows } = await client.query<{ server_version: string }>('show server_version');
    return passed('postgres', `PostgreSQL ${rows[0]?.server_version ?? '?'} at ${shown}`);
  } catch (error) {
    return failed(
      'postgres',
      `cannot use PostgreSQL at ${shown}: ${(error as Error).message}`,
      'start PostgreSQL (e.g. pg_ctlcluster <version> main start) or point DATABASE_URL at a reachable server',
    );
  } finally {
    await client.end().catch(() => undefined);
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
