import 'reflect-metadata';
import { type LoggerService, type LogLevel } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { MicroserviceOptions } from '@nestjs/microservices';
import { jetstreamManager } from '@nats-io/jetstream';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { topology } from '@cohort/contracts';
import { JetStreamEventStore, ensureEventStream } from '@cohort/eventstore';
import { JetStreamTransport, RethrowRpcErrorsFilter, ensureMessagingStreams } from '@cohort/messaging';
import { HealthServer, natsReadiness, Redactor } from '@cohort/platform';
import type { ConnectionsConfig } from './config.js';
import { CONNECTIONS_SERVICE, ConnectionsModule } from './connections.module.js';
import { SecretCipher } from './secrets/secret-cipher.js';
import { SecretVault } from './secrets/secret-vault.js';

export interface RunningService {
  close(): Promise<void>;
  /** Port of /healthz and /readyz when the health server runs. */
  readonly healthPort?: number;
}

export interface StartOptions {
  /** Where Nest and the service log. @default Nest's console logger */
  readonly logger?: LoggerService;
  /** Learns every secret value the service sees, so the logger given can mask them. @default a private one */
  readonly redactor?: Redactor;
}

/**
 * Connects to NATS, makes sure the streams and the secrets bucket exist, and
 * starts the connections service: its commands, its consumer of secret events
 * and, when a port is configured, its health endpoints.
 */
export async function startConnections(config: ConnectionsConfig, options: StartOptions = {}): Promise<RunningService> {
  const nc = await connect({ servers: config.natsUrl.split(','), name: CONNECTIONS_SERVICE });
  try {
    return await startOn(nc, config, options);
  } catch (error) {
    await nc.close();
    throw error;
  }
}

async function startOn(nc: NatsConnection, config: ConnectionsConfig, options: StartOptions): Promise<RunningService> {
  const tp = topology(config.namespace);
  const jsm = await jetstreamManager(nc);
  await ensureEventStream(jsm, tp);
  await ensureMessagingStreams(jsm, tp);
  const store = await JetStreamEventStore.create({ nc, topology: tp });
  const vault = await SecretVault.open(nc, tp.buckets.secrets, new SecretCipher(config.secretsKey));
  const logger: LoggerService | LogLevel[] = options.logger ?? ['log', 'warn', 'error'];

  const app = await NestFactory.createMicroservice<MicroserviceOptions>(
    ConnectionsModule.register({ nc, topology: tp, store, vault, redactor: options.redactor ?? new Redactor() }),
    {
      // The connection catalog will react to events here; for now the consumer keeps the service's shape.
      strategy: new JetStreamTransport({
        connection: nc,
        topology: tp,
        service: CONNECTIONS_SERVICE,
        filterSubject: tp.eventsOf('secret'),
      }),
      logger,
    },
  );
  app.useGlobalFilters(new RethrowRpcErrorsFilter());
  await app.listen();

  const health = new HealthServer(CONNECTIONS_SERVICE, { nats: () => natsReadiness(nc) });
  const healthPort = config.healthPort !== undefined ? await health.listen(config.healthPort) : undefined;

  let closing: Promise<void> | undefined;
  const close = () =>
    (closing ??= (async () => {
      health.markDraining();
      await app.close();
      await health.close();
      if (!nc.isClosed()) await nc.drain();
    })());
  return healthPort === undefined ? { close } : { close, healthPort };
}
