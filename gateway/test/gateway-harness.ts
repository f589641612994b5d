import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { jetstreamManager } from '@nats-io/jetstream';
import { ensureEventStream } from '@cohort/eventstore';
import { ensureMessagingStreams } from '@cohort/messaging';
import { JsonLogger } from '@cohort/platform';
import { createTestDatabase, natsTestContext, waitFor, type NatsTestContext, type TestDatabase } from '@cohort/testing';
import { startConnections } from '@cohort/service-connections';
import { startIntake } from '@cohort/service-intake';
import { readPrWatcherConfig, startPrWatcher } from '@cohort/service-pr-watcher';
import { startProjector, readProjectorConfig } from '@cohort/service-projector';
import { readGatewayConfig, type GatewayConfig } from '../src/config.js';
import { startGateway, type RunningGateway } from '../src/start-gateway.js';

export type ServiceName = 'intake' | 'connections' | 'pr-watcher' | 'projector';

export interface GraphqlReply {
  readonly status: number;
  readonly body: {
    readonly data?: Record<string, unknown> | null;
    readonly errors?: ReadonlyArray<{ message: string; path?: unknown[]; extensions?: Record<string, unknown> }>;
  };
}

export interface GatewayHarness {
  readonly ctx: NatsTestContext;
  readonly db: TestDatabase;
  readonly gateway: RunningGateway;
  readonly config: GatewayConfig;
  readonly adminToken: string;
  /** A directory standing for a local repository. */
  readonly repoDir: string;
  /** Every line the gateway logged. */
  readonly logs: string[];
  /** POSTs a GraphQL request with a token (the admin token unless given; null for none). */
  gql(query: string, variables?: Record<string, unknown>, token?: string | null): Promise<GraphqlReply>;
  /** Creates a token with these scopes through the API and returns its value. */
  tokenWith(...scopes: Array<'read' | 'write' | 'admin'>): Promise<string>;
  /** Stops one in-process service, e.g. to make its commands go unanswered. */
  stop(service: ServiceName): Promise<void>;
  dispose(): Promise<void>;
}

const quiet = { log: () => undefined, warn: () => undefined, error: () => undefined };

/**
 * A gateway on its own namespace and database, with the chosen services
 * running in-process against the same NATS: what a client of the API meets.
 */
export async function startGatewayHarness(
  label: string,
  options: { services?: readonly ServiceName[]; env?: Record<string, string> } = {},
): Promise<GatewayHarness> {
  const ctx = await natsTestContext({ label });
  const db = await createTestDatabase(label);
  const repoDir = mkdtempSync(join(tmpdir(), 'gateway-repo-'));
  const jsm = await jetstreamManager(ctx.nc);
  await ensureEventStream(jsm, ctx.topology);
  await ensureMessagingStreams(jsm, ctx.topology);
  const basics = { NATS_URL: ctx.url, COHORT_NAMESPACE: ctx.topology.namespace, DATABASE_URL: db.url };
  const running = new Map<ServiceName, { close(): Promise<void> }>();
  const wanted = options.services ?? [];
  if (wanted.includes('intake')) {
    running.set(
      'intake',
      await startIntake(
        {
          natsUrl: ctx.url,
          namespace: ctx.topology.namespace,
          healthPort: undefined,
          defaultAgent: 'scripted',
          maxRetries: 3,
          maxAutoResumes: 10,
          inboxMaxDeliveries: 2,
          retryDelayMs: 50,
        },
        { logger: quiet },
      ),
    );
  }
  if (wanted.includes('connections')) {
    running.set(
      'connections',
      await startConnections(
        { natsUrl: ctx.url, namespace: ctx.topology.namespace, healthPort: undefined, secretsKey: randomBytes(32) },
        { logger: quiet },
      ),
    );
  }
  if (wanted.includes('pr-watcher')) {
    const prConfig = readPrWatcherConfig({ ...basics, COHORT_DATA_DIR: join(repoDir, '.cohort') });
    running.set('pr-watcher', await startPrWatcher({ ...prConfig, healthPort: undefined }, { logger: ['error'] }));
  }
  // The projector creates the read model's schema; without it, queries report Postgres as unavailable.
  if (wanted.includes('projector')) running.set('projector', await startProjector(readProjectorConfig(basics), { logger: quiet }));

  const adminToken = `admin-${randomBytes(16).toString('hex')}`;
  const config = readGatewayConfig({
    ...basics,
    GATEWAY_PORT: '0',
    COHORT_ADMIN_TOKEN: adminToken,
    GATEWAY_COMMAND_TIMEOUT_MS: '1500',
    ...options.env,
  });
  const logs: string[] = [];
  const gateway = await startGateway(config, { logger: new JsonLogger('gateway', { level: 'debug', write: (line) => logs.push(line) }) });

  const gql = async (query: string, variables?: Record<string, unknown>, token: string | null = adminToken): Promise<GraphqlReply> => {
    const res = await fetch(gateway.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(token === null ? {} : { authorization: `Bearer ${token}` }) },
      body: JSON.stringify({ query, variables }),
    });
    return { status: res.status, body: (await res.json()) as GraphqlReply['body'] };
  };

  if (wanted.includes('projector')) {
    // The projector sets its schema and views up in the background; queries need them.
    await waitFor('the read model to answer', async () => {
      const reply = await gql('{ task(id: "-") { id } repos { id } }');
      return reply.body.errors ? undefined : true;
    });
  }

  return {
    ctx,
    db,
    gateway,
    config,
    adminToken,
    repoDir,
    logs,
    gql,
    tokenWith: async (...scopes) => {
      const reply = await gql('mutation ($s: [Scope!]!) { createApiToken(name: "test", scopes: $s) { value } }', { s: scopes });
      const value = (reply.body.data?.createApiToken as { value?: string } | undefined)?.value;
      if (!value) throw new Error(`createApiToken failed: ${JSON.stringify(reply.body)}`);
      return value;
    },
    stop: async (service) => {
      await running.get(service)?.close();
      running.delete(service);
    },
    dispose: async () => {
      await gateway.close();
      for (const service of running.values()) await service.close();
      await ctx.dispose();
      await db.dispose();
      rmSync(repoDir, { recursive: true, force: true });
    },
  };
}
