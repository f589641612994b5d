import 'reflect-metadata';
import { type LoggerService, type LogLevel } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { MicroserviceOptions } from '@nestjs/microservices';
import { jetstreamManager } from '@nats-io/jetstream';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { TaskRequestedSchema, topology } from '@cohort/contracts';
import { JetStreamEventStore, ensureEventStream } from '@cohort/eventstore';
import { JetStreamTransport, RethrowRpcErrorsFilter, ensureMessagingStreams, inboundDecoder } from '@cohort/messaging';
import { HealthServer, natsReadiness } from '@cohort/platform';
import type { IntakeConfig } from './config.js';
import { INTAKE_SERVICE, IntakeInboxModule, IntakeModule } from './intake.module.js';
import { TaskCommands } from './tasks/task-commands.js';

export interface RunningService {
  close(): Promise<void>;
  /** Port of /healthz and /readyz when the health server runs. */
  readonly healthPort?: number;
}

export interface StartOptions {
  /** Where Nest and the service log. @default Nest's console logger */
  readonly logger?: LoggerService;
}

/**
 * Connects to NATS, makes sure the streams exist, and starts the intake
 * service: its commands, its consumer of task events, its consumer of the inbox
 * and, when a port is configured, its health endpoints.
 */
export async function startIntake(config: IntakeConfig, options: StartOptions = {}): Promise<RunningService> {
  const nc = await connect({ servers: config.natsUrl.split(','), name: INTAKE_SERVICE });
  try {
    return await startOn(nc, config, options);
  } catch (error) {
    await nc.close();
    throw error;
  }
}

async function startOn(nc: NatsConnection, config: IntakeConfig, options: StartOptions): Promise<RunningService> {
  const tp = topology(config.namespace);
  const jsm = await jetstreamManager(nc);
  await ensureEventStream(jsm, tp);
  await ensureMessagingStreams(jsm, tp);
  const store = await JetStreamEventStore.create({ nc, topology: tp });
  const logger: LoggerService | LogLevel[] = options.logger ?? ['log', 'warn', 'error'];
  const backoff = { initialDelayMs: config.retryDelayMs };

  const app = await NestFactory.createMicroservice<MicroserviceOptions>(IntakeModule.register({ config, nc, topology: tp, store }), {
    strategy: new JetStreamTransport({
      connection: nc,
      topology: tp,
      service: INTAKE_SERVICE,
      filterSubject: tp.eventsOf('task'),
      backoff,
    }),
    logger,
  });
  app.useGlobalFilters(new RethrowRpcErrorsFilter());
  await app.listen();

  // Intake owns the whole inbox: a kind nobody handles is dead-lettered, not left behind.
  const inbox = await NestFactory.createMicroservice<MicroserviceOptions>(IntakeInboxModule.register(app.get(TaskCommands)), {
    strategy: new JetStreamTransport({
      connection: nc,
      topology: tp,
      service: INTAKE_SERVICE,
      stream: tp.streams.inbox,
      filterSubject: tp.allInbound,
      decoder: inboundDecoder({ 'task.requested': TaskRequestedSchema }),
      maxDeliveries: config.inboxMaxDeliveries,
      backoff,
    }),
    logger,
  });
  inbox.useGlobalFilters(new RethrowRpcErrorsFilter());
  await inbox.listen();

  const health = new HealthServer(INTAKE_SERVICE, { nats: () => natsReadiness(nc) });
  const healthPort = config.healthPort !== undefined ? await health.listen(config.healthPort) : undefined;

  let closing: Promise<void> | undefined;
  const close = () =>
    (closing ??= (async () => {
      health.markDraining();
      await inbox.close();
      await app.close();
      await health.close();
      if (!nc.isClosed()) await nc.drain();
    })());
  return healthPort === undefined ? { close } : { close, healthPort };
}
