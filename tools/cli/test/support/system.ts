import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { jetstream, DeliverPolicy, jetstreamManager } from '@nats-io/jetstream';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { topology, LogLineSchema, decodeJson, type Envelope, type Topology } from '@cohort/contracts';
import { fold, type TaskState } from '@cohort/domain';
import { JetStreamEventStore, ensureEventStream } from '@cohort/eventstore';
import { ensureMessagingStreams } from '@cohort/messaging';
import { createTestDatabase, deleteNamespace, natsUrl, uniqueNamespace, waitFor, type TestDatabase } from '@cohort/testing';
import { createClient, type Client } from 'graphql-ws';
import WebSocket from 'ws';
import { freePort } from '../../src/stack/free-port.js';
import { Stack } from '../../src/stack/stack.js';

const exec = promisify(execFile);
export const repoRoot = resolve(import.meta.dirname, '../../../..');
const cohortBin = join(repoRoot, 'cohort');
const IDENTITY = ['-c', 'user.name=Test', '-c', 'user.email=test@localhost'];

/** A GraphQL answer over HTTP, as the gateway sends it. */
export interface GraphqlReply<T = Record<string, unknown>> {
  readonly status: number;
  readonly body: {
    readonly data?: T | null;
    readonly errors?: ReadonlyArray<{ message: string; path?: unknown[]; extensions?: Record<string, unknown> }>;
  };
}

/** The whole system as separate processes on a namespace of its own, driven the way a user drives it. */
export class System {
  private constructor(
    /** Every line the services printed, prefixed with their name. */
    readonly output: string[],
    readonly namespace: string,
    readonly dataDir: string,
    readonly stack: Stack,
    readonly nc: NatsConnection,
    readonly topology: Topology,
    readonly events: JetStreamEventStore,
    /** The system's own database: the projector's read models live here. */
    readonly database: TestDatabase,
    /** The gateway's GraphQL endpoint (HTTP; the same path over ws:// for subscriptions). */
    readonly graphqlUrl: string,
    /** An admin token the gateway registered at start. */
    readonly adminToken: string,
    /** The dashboard's origin; it serves only when web/build existed at start (see buildWebIfStale). */
    readonly dashboardUrl: string,
  ) {}

  static async start(label: string, env: NodeJS.ProcessEnv = {}): Promise<System> {
    const namespace = uniqueNamespace(label);
    const dataDir = await mkdtemp(join(tmpdir(), `cohort-e2e-${label}-`));
    const nc = await connect({ servers: natsUrl() });
    const tp = topology(namespace);
    const jsm = await jetstreamManager(nc);
    await ensureEventStream(jsm, tp);
    await ensureMessagingStreams(jsm, tp);
    const database = await createTestDatabase(label);
    const output: string[] = [];
    // The harness picks the gateway's port so it knows the URL before the gateway is up (and so does the dashboard).
    const gateway = { host: '127.0.0.1', port: await freePort() };
    const web = { host: '127.0.0.1', port: await freePort() };
    const adminToken = `cohort_e2e_${randomBytes(24).toString('hex')}`;
    const stack = Stack.start({
      repoRoot,
      natsUrl: natsUrl(),
      databaseUrl: database.url,
      namespace,
      dataDir,
      secretsKey: Buffer.alloc(32, 7).toString('base64'),
      onLine: (line) => output.push(line),
      gateway,
      web,
      adminToken,
      env: {
        SCHEDULER_RESYNC_MS: '1000',
        PR_WATCHER_CONFLICT_POLL_INTERVAL_MS: '1000',
        AGENT_RUNTIME_HEARTBEAT_MS: '500',
        ...env,
      },
    });
    const events = await JetStreamEventStore.create({ nc, topology: tp });
    const graphqlUrl = `http://${gateway.host}:${gateway.port}/graphql`;
    const dashboardUrl = `http://${web.host}:${web.port}`;
    return new System(output, namespace, dataDir, stack, nc, tp, events, database, graphqlUrl, adminToken, dashboardUrl);
  }

  /** POSTs a GraphQL operation to the gateway with the admin token (another token, or none with null). */
  async graphql<T = Record<string, unknown>>(
    query: string,
    variables: Record<string, unknown> = {},
    token: string | null = this.adminToken,
  ): Promise<GraphqlReply<T>> {
    const response = await fetch(this.graphqlUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(token === null ? {} : { authorization: `Bearer ${token}` }) },
      body: JSON.stringify({ query, variables }),
    });
    const text = await response.text();
    try {
      return { status: response.status, body: JSON.parse(text) as GraphqlReply<T>['body'] };
    } catch {
      throw new Error(`the gateway answered ${response.status} with a body that is not JSON: ${text.slice(0, 300)}`);
    }
  }

  /** Waits until the dashboard answers /healthz. */
  async waitForDashboard(timeoutMs = 60_000): Promise<void> {
    await waitFor(
      'the dashboard to answer /healthz',
      async () => ((await fetch(`${this.dashboardUrl}/healthz`).catch(() => undefined))?.ok ? true : undefined),
      timeoutMs,
      100,
    ).catch((error: unknown) => {
      throw new Error(`${(error as Error).message}\nlast output:\n${this.output.slice(-40).join('\n')}`, { cause: error });
    });
  }

  /** Waits until the gateway answers /readyz (NATS reachable, tokens loaded). */
  async waitForGateway(timeoutMs = 150_000): Promise<void> {
    const readyz = this.graphqlUrl.replace(/\/graphql$/, '/readyz');
    await waitFor(
      'the gateway to answer /readyz',
      async () => ((await fetch(readyz).catch(() => undefined))?.ok ? true : undefined),
      timeoutMs,
      250,
    ).catch((error: unknown) => {
      throw new Error(`${(error as Error).message}\nlast output:\n${this.output.slice(-40).join('\n')}`, { cause: error });
    });
  }

  /** A graphql-ws client of the gateway with the admin token; it does not reconnect by itself. Dispose it when done. */
  subscriptionClient(): Client {
    return createClient({
      url: this.graphqlUrl.replace(/^http/, 'ws'),
      webSocketImpl: WebSocket,
      connectionParams: { authorization: `Bearer ${this.adminToken}` },
      retryAttempts: 0,
      lazy: false,
    });
  }

  /** Runs the cohort CLI against this system. */
  async cli(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
    const env = { ...process.env, NATS_URL: natsUrl(), COHORT_NAMESPACE: this.namespace, COHORT_DATA_DIR: this.dataDir };
    try {
      const { stdout, stderr } = await exec(cohortBin, args, { env, timeout: 60_000 });
      return { code: 0, stdout, stderr };
    } catch (error) {
      const e = error as { code: number; stdout: string; stderr: string };
      return { code: e.code, stdout: e.stdout, stderr: e.stderr };
    }
  }

  async cliJson<T>(args: string[]): Promise<T> {
    const result = await this.cli([...args, '--json']);
    if (result.code !== 0) throw new Error(`cohort ${args.join(' ')} failed (${result.code}): ${result.stderr}${result.stdout}`);
    return JSON.parse(result.stdout) as T;
  }

  /** A bare origin repository with these files on main; returns its path. */
  async createRepository(name: string, files: Record<string, string>): Promise<string> {
    const work = join(this.dataDir, 'seed', name);
    const origin = join(this.dataDir, 'origins', `${name}.git`);
    await exec('git', ['init', '-q', '-b', 'main', work]);
    for (const [path, content] of Object.entries(files)) {
      await mkdir(dirname(join(work, path)), { recursive: true });
      await writeFile(join(work, path), content);
    }
    await exec('git', ['-C', work, 'add', '-A']);
    await exec('git', ['-C', work, ...IDENTITY, 'commit', '-q', '-m', 'initial']);
    await mkdir(join(this.dataDir, 'origins'), { recursive: true });
    await exec('git', ['clone', '-q', '--bare', work, origin]);
    return origin;
  }

  /** Commits a change straight onto the origin's main, as another developer would. */
  async pushToMain(origin: string, path: string, content: string, message: string): Promise<void> {
    const work = await mkdtemp(join(this.dataDir, 'push-'));
    await exec('git', ['clone', '-q', origin, work]);
    await writeFile(join(work, path), content);
    await exec('git', ['-C', work, ...IDENTITY, 'commit', '-q', '-am', message]);
    await exec('git', ['-C', work, 'push', '-q', 'origin', 'main']);
  }

  async commitsOnMain(origin: string): Promise<string[]> {
    const { stdout } = await exec('git', ['-C', origin, 'log', '--format=%s', 'main']);
    return stdout.trim().split('\n');
  }

  async taskEvents(taskId: string): Promise<readonly Envelope[]> {
    return (await this.events.read({ type: 'task', id: taskId })).events;
  }

  async task(taskId: string): Promise<TaskState | undefined> {
    const events = await this.taskEvents(taskId);
    return events.length === 0 ? undefined : fold(events as never);
  }

  /** Waits until the task's events satisfy `done`; the error shows the event types seen so far. */
  async waitForEvents(taskId: string, what: string, done: (types: string[], events: readonly Envelope[]) => boolean, timeoutMs = 90_000) {
    try {
      return await waitFor(
        what,
        async () => {
          const events = await this.taskEvents(taskId);
          return done(
            events.map((e) => e.type),
            events,
          )
            ? events
            : undefined;
        },
        timeoutMs,
        200,
      );
    } catch (error) {
      const types = (await this.taskEvents(taskId)).map((e) => e.type).join(', ');
      throw new Error(`${(error as Error).message}\nevents so far: ${types}\nlast output:\n${this.output.slice(-40).join('\n')}`, {
        cause: error,
      });
    }
  }

  /** Every log line of the task's runs, in order. */
  async logLines(taskId: string): Promise<Array<{ runId: string; seq: number; text: string }>> {
    const consumer = await jetstream(this.nc).consumers.get(this.topology.streams.logs, {
      filter_subjects: this.topology.logsOfTask(taskId),
      deliver_policy: DeliverPolicy.All,
    });
    const lines: Array<{ runId: string; seq: number; text: string }> = [];
    const messages = await consumer.fetch({ max_messages: 10_000, expires: 1000 });
    for await (const message of messages) {
      const decoded = decodeJson(LogLineSchema, message.data);
      if (decoded.ok) lines.push({ runId: decoded.value.runId, seq: decoded.value.seq, text: decoded.value.text });
      if (message.info.pending === 0) break;
    }
    return lines;
  }

  /** Raw bytes of every message in the namespace's event, log and dead-letter streams, for secret scans. */
  async everythingStored(): Promise<string> {
    const jsm = await jetstreamManager(this.nc);
    let all = '';
    for (const stream of [this.topology.streams.events, this.topology.streams.logs, this.topology.streams.dlq]) {
      const info = await jsm.streams.info(stream);
      for (let seq = info.state.first_seq; seq <= info.state.last_seq && info.state.messages > 0; seq++) {
        const message = await jsm.streams.getMessage(stream, { seq }).catch(() => null);
        if (message) all += new TextDecoder().decode(message.data) + '\n';
      }
    }
    return all;
  }

  async stop(): Promise<void> {
    await this.stack.stop();
    await deleteNamespace(this.nc, this.topology);
    await this.nc.close();
    await this.database.dispose();
    await rm(this.dataDir, { recursive: true, force: true });
  }
}
