import pg from 'pg';

/** What is at a DATABASE_URL. */
export type PostgresProbe =
  | { readonly kind: 'ready'; readonly version: string }
  /** The server answers, but the URL's database does not exist yet. */
  | { readonly kind: 'missing-database'; readonly database: string }
  /** A server answered and refused (credentials, permissions, …): a setting to fix, not a reason to start another. */
  | { readonly kind: 'refused'; readonly reason: string }
  /** Nothing answers: nothing listens, the host is unknown, or it timed out. */
  | { readonly kind: 'unreachable'; readonly reason: string };

const UNDEFINED_DATABASE = '3D000';
const DUPLICATE_DATABASE = '42P04';

export async function probePostgres(url: string, timeoutMs = 2000): Promise<PostgresProbe> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: timeoutMs });
  try {
    await client.connect();
    const { rows } = await client.query<{ server_version: string }>('show server_version');
    return { kind: 'ready', version: rows[0]?.server_version ?? '?' };
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    const reason = (error as Error).message || String(code);
    if (code === UNDEFINED_DATABASE) return { kind: 'missing-database', database: databaseOf(url) };
    // Only a server sets a five-character SQLSTATE; socket errors carry ECONNREFUSED and the like.
    if (typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code)) return { kind: 'refused', reason };
    return { kind: 'unreachable', reason };
  } finally {
    await client.end().catch(() => undefined);
  }
}

/** Creates the URL's database, connecting to the server's `postgres` database to do it; another creator winning the race is fine. */
export async function createDatabase(url: string): Promise<void> {
  const maintenance = new URL(url);
  maintenance.pathname = '/postgres';
  const client = new pg.Client({ connectionString: maintenance.toString(), connectionTimeoutMillis: 5000 });
  await client.connect();
  try {
    await client.query(`CREATE DATABASE ${pg.escapeIdentifier(databaseOf(url))}`);
  } catch (error) {
    if ((error as { code?: unknown }).code !== DUPLICATE_DATABASE) throw error;
  } finally {
    await client.end().catch(() => undefined);
  }
}

export function databaseOf(url: string): string {
  return decodeURIComponent(new URL(url).pathname.replace(/^\//, '')) || 'postgres';
}
