import { describe, expect, it } from 'vitest';
import { connect } from '@nats-io/transport-node';
import { jetstreamManager } from '@nats-io/jetstream';
import pg from 'pg';
import { natsTestContext } from './nats-namespace.js';
import { NatsServerProcess } from './nats-server-process.js';
import { createTestDatabase } from './postgres-database.js';

describe('test harness', () => {
  it('gives each context its own namespace and deletes its streams on dispose', async () => {
    const a = await natsTestContext({ label: 'harness' });
    const b = await natsTestContext({ label: 'harness' });
    expect(a.topology.namespace).not.toBe(b.topology.namespace);
    await (await jetstreamManager(a.nc)).streams.add({ name: a.topology.streams.events, subjects: [a.topology.allEvents] });
    await a.dispose();
    const names: string[] = [];
    for await (const name of (await jetstreamManager(b.nc)).streams.names()) names.push(name);
    expect(names).not.toContain(a.topology.streams.events);
    await b.dispose();
  });

  it('runs a nats-server of its own that survives kill -9 with its data', async () => {
    await using server = await NatsServerProcess.start();
    let nc = await connect({ servers: server.url });
    let jsm = await jetstreamManager(nc);
    await jsm.streams.add({ name: 'KEEP', subjects: ['keep.>'], storage: 'file' as never });
    await nc.close();
    await server.kill();
    await expect(connect({ servers: server.url, reconnect: false, timeout: 300 })).rejects.toThrow();
    await server.restart();
    nc = await connect({ servers: server.url });
    jsm = await jetstreamManager(nc);
    expect((await jsm.streams.info('KEEP')).config.name).toBe('KEEP');
    await nc.close();
  });

  it('creates and drops a database of its own', async () => {
    const db = await createTestDatabase('harness');
    const client = new pg.Client({ connectionString: db.url });
    await client.connect();
    const { rows } = await client.query('select current_database() as name');
    expect(rows[0].name).toBe(db.name);
    await client.end();
    await db.dispose();
    const check = new pg.Client({ connectionString: db.url });
    await expect(check.connect()).rejects.toThrow(/does not exist/);
  });
});
