import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { databaseUrl } from './env.js';

/** A database of the test's own on the real Postgres, dropped by dispose(). */
export interface TestDatabase extends AsyncDisposable {
  readonly name: string;
  readonly url: string;
  dispose(): Promise<void>;
}

export async function createTestDatabase(label = 'test'): Promise<TestDatabase> {
  const adminUrl = databaseUrl();
  const name = `cohort_${label
    .toLowerCase()
    .replace(/[^a-z0-9]/g, '')
    .slice(0, 20)}_${randomBytes(4).toString('hex')}`;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE "${name}"`);
  } finally {
    await admin.end();
  }
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  const dispose = async () => {
    const client = new pg.Client({ connectionString: adminUrl });
    await client.connect();
    try {
      await client.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
    } finally {
      await client.end();
    }
  };
  return { name, url: url.toString(), dispose, [Symbol.asyncDispose]: dispose };
}
