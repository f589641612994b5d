import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import pg from 'pg';
import { createTestDatabase, type TestDatabase } from '@cohort/testing';
import { SqlScript } from './sql-script.js';

const text = (lines: string) => [Buffer.from(lines)];

describe('SqlScript', () => {
  let db: TestDatabase;
  let client: pg.Client;
  beforeAll(async () => {
    db = await createTestDatabase('sqlscript');
    client = new pg.Client({ connectionString: db.url });
    await client.connect();
    await client.query('CREATE TABLE t (n int PRIMARY KEY, s text)');
  });
  afterAll(async () => {
    await client.end();
    await db.dispose();
  });

  it('runs statements and COPYs in one go, reporting each tag, with rows split over many messages as they come', async () => {
    await client.query('TRUNCATE t');
    // Long enough for several CopyData messages, with characters of several bytes cut across their edges.
    const rows = Array.from({ length: 3000 }, (_, i) => `${i}\tzażółć gęślą jaźń ✓ ${'é'.repeat(i % 50)}\n`);
    const script = new SqlScript();
    script.add('BEGIN');
    script.copy('t (n, s)', [Buffer.from(rows.slice(0, 1000).join('')), Buffer.from(rows.slice(1000).join(''))]);
    script.add('UPDATE t SET s = s WHERE n < 10');
    script.copy('t (n, s)', text('5000\tlast\n'));
    script.copy('t (n, s)', []);
    const tags = await script.run(client);
    await client.query('COMMIT');
    expect(tags).toEqual(['BEGIN', 'COPY 3000', 'UPDATE 10', 'COPY 1']);
    const stored = await client.query<{ n: number; s: string }>('SELECT n, s FROM t ORDER BY n');
    expect(stored.rows.map((r) => `${r.n}\t${r.s}\n`)).toEqual([...rows, '5000\tlast\n']);
  });

  it('stops at an error, skipping the rest and the rows still to come, and leaves the connection usable', async () => {
    await client.query('TRUNCATE t');
    const script = new SqlScript();
    script.add('BEGIN');
    script.copy('t (n, s)', text('1\tone\nnot a number\ttwo\n'));
    script.copy('t (n, s)', text('3\tthree\n'));
    script.add('INSERT INTO t VALUES (4, $$four$$)');
    await expect(script.run(client)).rejects.toThrow(/invalid input syntax for type integer/);
    expect(script.tags).toEqual(['BEGIN']);
    await client.query('ROLLBACK');
    expect((await client.query('SELECT count(*)::int AS n FROM t')).rows).toEqual([{ n: 0 }]);

    const failsEarly = new SqlScript();
    failsEarly.add('SELECT * FROM missing_table');
    failsEarly.copy('t (n, s)', text('5\tfive\n'));
    await expect(failsEarly.run(client)).rejects.toThrow(/missing_table/);
    const after = new SqlScript();
    after.copy('t (n, s)', text('6\tsix\n'));
    expect(await after.run(client)).toEqual(['COPY 1']);
    expect((await client.query('SELECT n FROM t')).rows).toEqual([{ n: 6 }]);
  });
});
