import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { afterEach, describe, expect, it } from 'vitest';
import { databaseUrl } from '@cohort/testing';
import { createDatabase, databaseOf, probePostgres } from './probe-postgres.js';

const created: string[] = [];

afterEach(async () => {
  const admin = new pg.Client({ connectionString: databaseUrl() });
  await admin.connect();
  try {
    for (const name of created.splice(0)) await admin.query(`DROP DATABASE IF EXISTS ${pg.escapeIdentifier(name)} WITH (FORCE)`);
  } finally {
    await admin.end();
  }
});

function urlWith(change: (url: URL) => void): string {
  const url = new URL(databaseUrl());
  change(url);
  return url.toString();
}

describe('probing DATABASE_URL', () => {
  it('finds the running server ready, with its version', async () => {
    expect(await probePostgres(databaseUrl())).toMatchObject({ kind: 'ready', version: expect.stringMatching(/^\d+/) });
  });

  it('tells a missing database apart, and createDatabase makes it (twice is fine)', async () => {
    const name = `cohort_probe_${randomBytes(4).toString('hex')}`;
    created.push(name);
    const url = urlWith((u) => (u.pathname = `/${name}`));
    expect(await probePostgres(url)).toEqual({ kind: 'missing-database', database: name });
    await createDatabase(url);
    await createDatabase(url);
    expect(await probePostgres(url)).toMatchObject({ kind: 'ready' });
  });

  it('calls a server that answers with an error refused, not unreachable', async () => {
    const probe = await probePostgres(urlWith((u) => (u.username = 'no_such_role_for_probe')));
    expect(probe).toMatchObject({ kind: 'refused', reason: expect.stringContaining('no_such_role_for_probe') });
  });

  it('calls an address where nothing listens unreachable', async () => {
    expect(await probePostgres('postgres://postgres@127.0.0.1:1/cohort')).toMatchObject({ kind: 'unreachable' });
  });

  it.each([
    ['postgres://u@h:5432/cohort', 'cohort'],
    ['postgres://u@h:5432/', 'postgres'],
    ['postgres://u@h:5432/my%20db', 'my db'],
  ])('reads the database of %s as %s', (url, name) => {
    expect(databaseOf(url)).toBe(name);
  });
});
