import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { topology, type Topology } from '@cohort/contracts';
import { JetStreamEventStore } from '@cohort/eventstore';
import { CommandClient } from '@cohort/messaging';
import { JsonLogger, natsReadiness } from '@cohort/platform';
import { ApiTokenStore } from './auth/api-token-store.js';
import type { GatewayConfig } from './config.js';
import type { GatewayServices } from './context.js';
import { startApollo } from './http/apollo-server.js';
import { gatewayHttpHandler, GRAPHQL_PATH } from './http/gateway-http-handler.js';
import { PostgresReadModel } from '@cohort/projections';
import type { ReadModel } from './read-model.js';
import { buildSchema, type SubscriptionField } from './schema/build-schema.js';
import { createSubscriptionResolvers } from './subscriptions/index.js';
import { startGraphqlWs } from './ws/graphql-ws-server.js';

export interface StartGatewayOptions {
  /** @default a JsonLogger named "gateway" */
  readonly logger?: JsonLogger;
  /**
   * The projections' read side; one passed in is the caller's to close.
   * @default a PostgresReadModel on config.databaseUrl, closed with the gateway
   */
  readonly readModel?: ReadModel;
}

export interface RunningGateway {
  /** GraphQL over HTTP; the same URL with ws:// serves graphql-ws. */
  readonly url: string;
  readonly port: number;
  close(): Promise<void>;
}

/**
 * Connects to NATS, opens the token store (creating the bootstrap admin token
 * when configured), and serves GraphQL over HTTP and WebSocket on one port.
 */
export async function startGateway(config: GatewayConfig, options: StartGatewayOptions = {}): Promise<RunningGateway> {
  const logger = options.logger ?? new JsonLogger('gateway');
  // Reconnects for as long as it takes: a NATS restart must not take the gateway down.
  const nc = await connect({ servers: config.natsUrl.split(','), name: 'gateway', maxReconnectAttempts: -1, reconnectTimeWait: 250 });
  try {
    return await startOn(nc, config, options, logger);
  } catch (error) {
    await nc.close();
    throw error;
  }
}

async function startOn(
  nc: NatsConnection,
  config: GatewayConfig,
  options: StartGatewayOptions,
  logger: JsonLogger,
): Promise<RunningGateway> {
  const tp = topology(config.namespace);
  const events = await JetStreamEventStore.create({ nc, topology: tp });
  const tokens = await ApiTokenStore.open(nc, tp.buckets.apiTokens);
  if (config.adminToken) {
    const record = await tokens.ensureBootstrapToken(config.adminToken);
    logger.log(`admin token "${record.name}" (id ${record.id}) from COHORT_ADMIN_TOKEN is in place`, 'Auth');
  }
  const ownReadModel = options.readModel ? undefined : new PostgresReadModel({ databaseUrl: config.databaseUrl, nc, topology: tp });
  // What has started so far, stopped in reverse when a later step fails (e.g. the port is taken).
  const releaseReadModel = async () => ownReadModel?.close();
  const started: Array<() => Promise<void>> = [releaseReadModel];
  try {
    return await serve(nc, tp, config, options.readModel ?? ownReadModel!, releaseReadModel, events, tokens, logger, started);
  } catch (error) {
    for (const stop of started.reverse()) await stop().catch(() => undefined);
    throw error;
  }
}

async function serve(
  nc: NatsConnection,
  tp: Topology,
  config: GatewayConfig,
  readModel: ReadModel,
  releaseReadModel: () => Promise<void>,
  events: JetStreamEventStore,
  tokens: ApiTokenStore,
  logger: JsonLogger,
  started: Array<() => Promise<void>>,
): Promise<RunningGateway> {
  const wiring = createSubscriptionResolvers({
    nc,
    topology: tp,
    readModel,
    events,
    logger,
    logFlushIntervalMs: config.logFlushIntervalMs,
  });
  const services: GatewayServices = {
    nc,
    topology: tp,
    readModel,
    events,
    commands: new CommandClient(nc, tp, { timeoutMs: config.commandTimeoutMs }),
    tokens,
    logger,
    atLeastTimeoutMs: config.atLeastTimeoutMs,
    logPage: wiring.taskLogsPage,
  };
  const schema = buildSchema(wiring.Subscription as Record<string, SubscriptionField>);
  const apollo = await startApollo(schema, config.limits, logger);
  started.push(() => apollo.stop());

  let draining = false;
  const readiness = async () => {
    const nats = await natsReadiness(nc).then(
      (detail) => ({ ok: true, detail }),
      (error: unknown) => ({ ok: false, detail: (error as Error).message }),
    );
    // Reported, not required: mutations and subscriptions work while Postgres is down.
    const postgres = await readModel.checkpoint().then(
      (checkpoint) => ({ ok: true, detail: `projections at position ${checkpoint}` }),
      () => ({ ok: false, detail: 'Postgres does not answer; queries fail with UNAVAILABLE until it does' }),
    );
    const checks: Record<string, { ok: boolean; detail: string }> = { nats, postgres };
    if (draining) checks.shutdown = { ok: false, detail: 'shutting down' };
    const ready = nats.ok && !draining;
    return { ready, body: { status: ready ? 'ok' : 'unavailable', service: 'gateway', checks } };
  };

  const server: Server = createServer(gatewayHttpHandler({ config, apollo, services, readiness }));
  // Requests that never finish sending must not hold sockets forever.
  server.requestTimeout = 60_000;
  server.headersTimeout = 20_000;
  const ws = startGraphqlWs(server, GRAPHQL_PATH, schema, config, services);
  started.push(() => ws.close());
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(config.port, config.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  const host = config.host.includes(':') ? `[${config.host}]` : config.host;
  const url = `http://${host}:${port}${GRAPHQL_PATH}`;
  logger.log(`gateway serving ${url} (namespace ${config.namespace})`, 'Gateway');

  let closing: Promise<void> | undefined;
  const close = () =>
    (closing ??= (async () => {
      draining = true;
      await ws.close();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeIdleConnections();
      });
      await apollo.stop();
      await releaseReadModel();
      if (!nc.isClosed()) await nc.drain();
    })());
  return { url, port, close };
}
