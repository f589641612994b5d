import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { jetstreamManager } from '@nats-io/jetstream';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { topology } from '@cohort/contracts';
import { freePort, uniqueNamespace } from '@cohort/testing';
import { connectEventLog } from './jetstream/connect-event-log.js';
import { ensureEventStream } from './jetstream/ensure-event-stream.js';
import { JetStreamEventStore } from './jetstream/jetstream-event-store.js';
import { StoreUnavailable } from './store-unavailable.js';
import { freshTask, priorityChanged } from './testing/sample-events.js';

const tp = topology(uniqueNamespace('esperm'));
const FORBIDDEN = 'forbidden';

/** A server of our own: the shared one has no users, and a denied publish needs subject permissions. */
describe('JetStreamEventStore writing as a user who may not publish to an aggregate', () => {
  let server: ChildProcess;
  let dir: string;
  let url: string;
  let admin: NatsConnection;

  beforeAll(async () => {
    const port = await freePort();
    url = `nats://127.0.0.1:${port}`;
    dir = await mkdtemp(join(tmpdir(), 'cohort-nats-perm-'));
    const config = join(dir, 'server.conf');
    await writeFile(
      config,
      `listen: "127.0.0.1:${port}"
jetstream { store_dir: "${join(dir, 'js')}" }
accounts {
  APP {
    jetstream: enabled
    users: [
      { user: admin, password: admin }
      { user: writer, password: writer, permissions: { publish: { deny: ["${tp.event('task', FORBIDDEN)}"] } } }
    ]
  }
}
`,
    );
    server = spawn(process.env.NATS_SERVER_BIN ?? 'nats-server', ['-c', config], { stdio: 'ignore' });
    admin = await waitForServer(url);
    await ensureEventStream(await jetstreamManager(admin), tp);
  }, 30_000);

  afterAll(async () => {
    await admin?.close();
    if (server && server.exitCode === null) {
      const exited = new Promise((resolve) => server.once('exit', resolve));
      server.kill('SIGKILL');
      await exited;
    }
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('fails the denied append with StoreUnavailable at once, and appends elsewhere go on', async () => {
    const nc = await connectEventLog({ servers: url, user: 'writer', pass: 'writer', name: 'esperm-writer' });
    try {
      // Longer than the test's own timeout: only the server's refusal can end the append in time.
      const store = await JetStreamEventStore.create({ nc, topology: tp, timeoutMs: 60_000 });
      // Caught at once: the refusal may arrive while the next append is awaited.
      const denied = store.append({ type: 'task', id: FORBIDDEN }, [priorityChanged(1)], { expectedVersion: 0 }).catch((e: unknown) => e);
      const allowed = freshTask();
      expect((await store.append(allowed, [priorityChanged(1)], { expectedVersion: 0 })).version).toBe(1);
      const error = await denied;
      expect(error).toBeInstanceOf(StoreUnavailable);
      expect((error as Error).message).toMatch(/permissions violation/i);
      expect((await store.append(allowed, [priorityChanged(2)], { expectedVersion: 1 })).version).toBe(2);
    } finally {
      await nc.close();
    }
  }, 20_000);
});

async function waitForServer(url: string): Promise<NatsConnection> {
  const deadline = Date.now() + 15_000;
  for (;;) {
    try {
      const nc = await connect({ servers: url, user: 'admin', pass: 'admin', reconnect: false, timeout: 500 });
      // JetStream answers only once its store is ready.
      await nc.request('$JS.API.INFO', undefined, { timeout: 1_000 });
      return nc;
    } catch (error) {
      if (Date.now() > deadline) throw new Error(`nats-server on ${url} did not become ready`, { cause: error });
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }
}
