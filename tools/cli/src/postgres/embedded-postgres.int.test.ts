import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '@cohort/testing';
import {
  embeddedDatabaseUrl,
  embeddedPostgresPaths,
  runningEmbeddedPostgres,
  startEmbeddedPostgres,
  stopEmbeddedPostgres,
  type EmbeddedPostgresPaths,
} from './embedded-postgres.js';
import type { EmbeddedPostgresState } from './embedded-postgres-state.js';
import { isProcessAlive } from '../stack/process-alive.js';

const repoRoot = resolve(import.meta.dirname, '../../../..');

// One database for the whole file: initialising a PGlite directory takes seconds.
describe('the embedded PostgreSQL', { timeout: 180_000 }, () => {
  let dataDir: string;
  let paths: EmbeddedPostgresPaths;
  let state: EmbeddedPostgresState;
  let port: number;
  const pools: pg.Pool[] = [];
  const pool = () => {
    const created = new pg.Pool({ connectionString: embeddedDatabaseUrl(state, 'cohort'), max: 3 });
    // Idle connections break when a test stops the server; the pool reports that as an error event.
    created.on('error', () => undefined);
    pools.push(created);
    return created;
  };

  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'cohort-embedded-pg-'));
    paths = embeddedPostgresPaths(dataDir);
    port = await freePort();
    state = await startEmbeddedPostgres(paths, { cwd: repoRoot, port });
  }, 180_000);

  afterAll(async () => {
    await Promise.all(pools.map((p) => p.end().catch(() => undefined)));
    await stopEmbeddedPostgres(paths);
    await rm(dataDir, { recursive: true, force: true });
  });

  it('listens on the configured port and announces itself to the next up', async () => {
    expect(state.port).toBe(port);
    expect(await runningEmbeddedPostgres(paths)).toEqual(state);
  });

  it('serves two pools at once, each holding its connections, with tables and transactions', async () => {
    const projector = pool();
    const gateway = pool();
    const [a, b] = [await projector.connect(), await gateway.connect()];
    try {
      await a.query('create table if not exists items (id int primary key, owner text not null)');
      await a.query('begin');
      await a.query('insert into items values ($1, $2)', [1, 'projector']);
      // The gateway's query waits for the projector's transaction instead of seeing half of it.
      const readDuring = b.query<{ n: string }>('select count(*) as n from items');
      await a.query('insert into items values ($1, $2)', [2, 'projector']);
      await a.query('commit');
      expect((await readDuring).rows[0]!.n).toBe('2');
      await b.query('begin');
      await b.query('insert into items values ($1, $2)', [3, 'gateway']);
      await b.query('rollback');
      const { rows } = await a.query<{ id: number; owner: string }>('select id, owner from items order by id');
      expect(rows).toEqual([
        { id: 1, owner: 'projector' },
        { id: 2, owner: 'projector' },
      ]);
    } finally {
      a.release();
      b.release();
    }
  });

  it('keeps concurrent parameterised queries and read-modify-write transactions of many connections apart', async () => {
    const pools = [pool(), pool()];
    await pools[0]!.query('create table if not exists counter (k text primary key, n int not null)');
    await pools[0]!.query(`insert into counter values ('k', 0) on conflict (k) do update set n = 0`);
    const wrong: string[] = [];
    await Promise.all(
      pools.flatMap((p, pi) =>
        [0, 1, 2].map(async (wi) => {
          for (let i = 0; i < 20; i++) {
            const who = `${pi}-${wi}`;
            const { rows } = await p.query<{ s: number; who: string }>('select $1::int * 2 as s, $2::text as who', [i, who]);
            if (rows[0]!.s !== i * 2 || rows[0]!.who !== who) wrong.push(JSON.stringify(rows[0]));
            const client = await p.connect();
            try {
              await client.query('begin');
              const current = await client.query<{ n: number }>('select n from counter where k = $1', ['k']);
              await client.query('update counter set n = $1 where k = $2', [current.rows[0]!.n + 1, 'k']);
              await client.query('commit');
            } finally {
              client.release();
            }
          }
        }),
      ),
    );
    expect(wrong).toEqual([]);
    expect((await pools[0]!.query<{ n: number }>('select n from counter')).rows[0]!.n).toBe(2 * 3 * 20);
  });

  it('grants pg_advisory_lock, but as one shared session: a second connection is not kept out', async () => {
    const [a, b] = [pool(), pool()];
    await a.query('select pg_advisory_lock(4242)');
    const other = await b.query<{ got: boolean }>('select pg_try_advisory_lock(4242) as got');
    expect(other.rows[0]!.got).toBe(true);
    await a.query('select pg_advisory_unlock_all()');
  });

  it('rolls back what a vanished connection left open and lets the others on', async () => {
    const [a, b] = [new pg.Client({ connectionString: embeddedDatabaseUrl(state, 'cohort') }), pool()];
    await a.connect();
    a.on('error', () => undefined);
    await a.query('create table if not exists orphans (id int primary key)');
    await a.query('begin');
    await a.query('insert into orphans values ($1)', [1]);
    const waiting = b.query<{ n: string }>('select count(*) as n from orphans');
    // The connection dies without COMMIT, as a killed service's would.
    (a as unknown as { connection: { stream: { destroy(): void } } }).connection.stream.destroy();
    expect((await waiting).rows[0]!.n).toBe('0');
    await b.query('insert into orphans values ($1)', [1]);
    expect((await b.query<{ n: string }>('select count(*) as n from orphans')).rows[0]!.n).toBe('1');
  });

  it('takes COPY … FROM STDIN from a client that waits to be asked for rows and from one that sends them at once', async () => {
    const [copier, other] = [pool(), pool()];
    await copier.query('create table if not exists copied (id int primary key, doc json not null, note text)');
    const client = await copier.connect();
    try {
      const waiting = await client.query(new CopyIn('COPY copied (id, doc, note) FROM STDIN', ['1\t{"a": [1, 2]}\tfirst\n'], false));
      expect(waiting).toEqual(['COPY 1']);
      // Another connection's query meanwhile waits for the whole script instead of landing inside it.
      const during = other.query<{ n: string }>('select count(*) as n from copied');
      const script = await client.query(
        new CopyIn(
          "BEGIN; COPY copied (id, doc, note) FROM STDIN; COPY copied (id, doc) FROM STDIN; UPDATE copied SET note = 'updated' WHERE id = 2; COMMIT",
          ['2\t{}\t\\N\n3\t[]\tthree\n', '4\tnull\n'],
          true,
        ),
      );
      expect(script).toEqual(['BEGIN', 'COPY 2', 'COPY 1', 'UPDATE 1', 'COMMIT']);
      expect(Number((await during).rows[0]!.n)).toBeOneOf([1, 4]);
      const bad = client.query(new CopyIn('COPY copied (id, doc) FROM STDIN', ['x\t{}\n'], true));
      await expect(bad).rejects.toThrow(/invalid input syntax for type integer/);
      const { rows } = await client.query<{ id: number; doc: unknown; note: string | null }>(
        'select id, doc, note from copied order by id',
      );
      expect(rows).toEqual([
        { id: 1, doc: { a: [1, 2] }, note: 'first' },
        { id: 2, doc: {}, note: 'updated' },
        { id: 3, doc: [], note: 'three' },
        { id: 4, doc: null, note: null },
      ]);
    } finally {
      client.release();
    }
  });

  it('refuses a second process on the same directory', async () => {
    await expect(startEmbeddedPostgres(paths, { cwd: repoRoot })).rejects.toThrow(/already serves/);
    expect(await runningEmbeddedPostgres(paths)).toEqual(state);
  });

  it('stops cleanly and keeps the data for the next start', async () => {
    await Promise.all(pools.splice(0).map((p) => p.end()));
    expect(await stopEmbeddedPostgres(paths)).toBe(true);
    expect(isProcessAlive(state.pid)).toBe(false);
    expect(existsSync(paths.stateFile)).toBe(false);
    expect(await runningEmbeddedPostgres(paths)).toBeUndefined();
    expect(await stopEmbeddedPostgres(paths)).toBe(false);

    state = await startEmbeddedPostgres(paths, { cwd: repoRoot });
    const { rows } = await pool().query<{ id: number }>('select id from items order by id');
    expect(rows.map((r) => r.id)).toEqual([1, 2]);
  });

  it('comes back with every committed row after being killed outright', async () => {
    const writer = pool();
    await writer.query('create table if not exists survivors (id int primary key)');
    await writer.query('insert into survivors select generate_series(1, 100)');
    await Promise.all(pools.splice(0).map((p) => p.end()));
    process.kill(state.pid, 'SIGKILL');
    while (isProcessAlive(state.pid)) await new Promise((resolve) => setTimeout(resolve, 50));

    state = await startEmbeddedPostgres(paths, { cwd: repoRoot });
    const { rows } = await pool().query<{ n: string }>('select count(*) as n from survivors');
    expect(rows[0]!.n).toBe('100');
  });
});

/**
 * A script with COPY … FROM STDIN statements, each given its rows: sent right
 * behind the query (`pipelined`) or each when the server asks for it, as
 * most clients do. Resolves with the command tags.
 */
class CopyIn implements pg.Submittable {
  private readonly tags: string[] = [];
  private next = 0;
  private settle!: (error: Error | undefined) => void;
  private readonly settled = new Promise<string[]>((resolve, reject) => {
    this.settle = (error) => (error ? reject(error) : resolve(this.tags));
  });
  private connection!: pg.Connection & { sendCopyFromChunk(chunk: Buffer): void; endCopyFrom(): void };

  constructor(
    private readonly sql: string,
    private readonly rows: readonly string[],
    private readonly pipelined: boolean,
  ) {}

  then<T>(onFulfilled: (tags: string[]) => T, onRejected?: (error: unknown) => T): Promise<T> {
    return this.settled.then(onFulfilled, onRejected);
  }

  submit(connection: pg.Connection): void {
    this.connection = connection as typeof this.connection;
    connection.query(this.sql);
    if (this.pipelined) while (this.next < this.rows.length) this.sendRows();
  }

  private sendRows(): void {
    this.connection.sendCopyFromChunk(Buffer.from(this.rows[this.next++]!));
    this.connection.endCopyFrom();
  }

  handleCopyInResponse(): void {
    if (!this.pipelined) this.sendRows();
  }
  handleCommandComplete(message: { text: string }): void {
    this.tags.push(message.text);
  }
  // pg hands a server error here and then no ReadyForQuery to this query.
  handleError(error: Error): void {
    this.settle(error);
  }
  handleReadyForQuery(): void {
    this.settle(undefined);
  }
  handleRowDescription(): void {}
  handleDataRow(): void {}
  handleEmptyQuery(): void {}
  handlePortalSuspended(): void {}
  handleCopyData(): void {}
}
