import 'reflect-metadata';
import { type LoggerService, type LogLevel, Logger } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { MicroserviceOptions } from '@nestjs/microservices';
import { jetstreamManager } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/transport-node';
import { topology as topologyOf, type Topology } from '@cohort/contracts';
import { connectEventLog, ensureEventStream, JetStreamEventStore } from '@cohort/eventstore';
import { ensureMessagingStreams, JetStreamTransport, RethrowRpcErrorsFilter } from '@cohort/messaging';
import { HealthServer, JsonLogger, natsReadiness } from '@cohort/platform';
import type { PrWatcherConfig } from './config.js';
import { PR_WATCHER_SERVICE, PrWatcherModule } from './pr-watcher.module.js';
import { PullRequestWatcher } from './pull-request-watcher.js';

export interface StartOptions {
  /** Nest's logger: the service's JSON logger by default; log levels to keep Nest's own. */
  readonly logger?: LoggerService | LogLevel[] | false;
}

export interface PrWatcherHandle {
  readonly topology: Topology;
  /** The port /healthz and /readyz listen on, when served. */
  readonly healthPort?: number;
  /** Looks for conflicts of open pull requests now (also done every conflictPollIntervalMs); resolves to how many were found. */
  pollConflicts(): Promise<number>;
  /** Stops polling, the commands and the consumer (running CI finishes first) and disconnects. */
  close(): Promise<void>;
}

/** Connects, makes sure the streams exist, and starts consuming task events and serving commands. */
export async function startPrWatcher(config: PrWatcherConfig, options: StartOptions = {}): Promise<PrWatcherHandle> {
  const topology = topologyOf(config.namespace);
  const nc = await connectEventLog({ servers: config.natsUrl.split(','), name: PR_WATCHER_SERVICE });
  try {
    return await startOn(nc, topology, config, options);
  } catch (error) {
    await nc.close();
    throw error;
  }
}

async function startOn(nc: NatsConnection, topology: Topology, config: PrWatcherConfig, options: StartOptions): Promise<PrWatcherHandle> {
  const jsm = await jetstreamManager(nc);
  await ensureEventStream(jsm, topology);
  await ensureMessagingStreams(jsm, topology);
  const store = await JetStreamEventStore.create({ nc, topology });
  const app = await NestFactory.createMicroservice<MicroserviceOptions>(PrWatcherModule.with({ config, nc, jsm, topology, store }), {
    strategy: new JetStreamTransport({
      connection: nc,
      topology,
      service: PR_WATCHER_SERVICE,
      filterSubject: topology.eventsOf('task'),
      concurrency: config.concurrency,
      // A handler runs CI (and possibly a merge) before it returns.
      handlerTimeoutMs: config.ciTimeoutMs + 300_000,
    }),
    logger: options.logger ?? new JsonLogger(PR_WATCHER_SERVICE),
  });
  app.useGlobalFilters(new RethrowRpcErrorsFilter());
  const watcher = app.get(PullRequestWatcher);
  await app.listen();

  const log = new Logger('PrWatcher');
  let polling: Promise<unknown> | undefined;
  const poll = () =>
    (polling ??= watcher
      .pollConflicts()
      .catch((error: unknown) => {
        log.error(`conflict poll failed: ${(error as Error).message}`);
        return 0;
      })
      .finally(() => (polling = undefined))) as Promise<number>;
  const timer = setInterval(() => void poll(), config.conflictPollIntervalMs);
  timer.unref();

  let health: HealthServer | undefined;
  let healthPort: number | undefined;
  if (config.healthPort !== undefined) {
    health = new HealthServer(PR_WATCHER_SERVICE, {
      nats: () => natsReadiness(nc),
    });
    healthPort = await health.listen(config.healthPort);
  }

  let closing: Promise<void> | undefined;
  return {
    topology,
    ...(healthPort === undefined ? {} : { healthPort }),
    pollConflicts: () => watcher.pollConflicts(),
    close: () =>
      (closing ??= (async () => {
        health?.markDraining();
        clearInterval(timer);
        await polling;
        await app.close();
        await health?.close();
        if (!nc.isClosed()) await nc.drain();
      })()),
  };
}
