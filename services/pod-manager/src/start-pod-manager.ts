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
import { LocalWorktreeRuntime, type WorkspaceRuntime } from '@cohort/runtime';
import type { PodManagerConfig } from './config.js';
import { PodManagerModule } from './pod-manager.module.js';
import { type HealthSummary, WorkspaceManager } from './workspace-manager.js';

export const POD_MANAGER_SERVICE = 'pod-manager';

export interface StartOptions {
  /** Nest's logger: the service's JSON logger by default; log levels to keep Nest's own. */
  readonly logger?: LoggerService | LogLevel[] | false;
  /** The workspace runtime; the local worktree runtime under the data directory by default. */
  readonly runtime?: WorkspaceRuntime;
}

export interface PodManagerHandle {
  readonly topology: Topology;
  /** The port /healthz and /readyz listen on, when served. */
  readonly healthPort?: number;
  /** Runs one cleanup now (also run every cleanupIntervalMs). */
  cleanup(): Promise<{ readonly released: readonly string[]; readonly removedMirrors: readonly string[] }>;
  /** Checks every live workspace now (also done every healthCheckIntervalMs); the result is part of /readyz. */
  checkHealth(): Promise<HealthSummary>;
  /** Stops the periodic work and the consumer (in-flight provisioning finishes first) and disconnects. */
  close(): Promise<void>;
}

/** Connects, makes sure the streams exist, and starts consuming task events. */
export async function startPodManager(config: PodManagerConfig, options: StartOptions = {}): Promise<PodManagerHandle> {
  const topology = topologyOf(config.namespace);
  const nc = await connectEventLog({ servers: config.natsUrl.split(','), name: POD_MANAGER_SERVICE });
  try {
    return await startOn(nc, topology, config, options);
  } catch (error) {
    await nc.close();
    throw error;
  }
}

async function startOn(nc: NatsConnection, topology: Topology, config: PodManagerConfig, options: StartOptions): Promise<PodManagerHandle> {
  const jsm = await jetstreamManager(nc);
  await ensureEventStream(jsm, topology);
  await ensureMessagingStreams(jsm, topology);
  const store = await JetStreamEventStore.create({ nc, topology });
  const runtime = options.runtime ?? new LocalWorktreeRuntime({ dataDir: config.dataDir, setupTimeoutMs: config.setupTimeoutMs });
  const app = await NestFactory.createMicroservice<MicroserviceOptions>(PodManagerModule.with({ config, store, runtime }), {
    strategy: new JetStreamTransport({
      connection: nc,
      topology,
      service: POD_MANAGER_SERVICE,
      filterSubject: topology.eventsOf('task'),
      concurrency: config.concurrency,
      maxDeliveries: config.maxDeliveries,
      // A RunScheduled may be held until its notBefore, then its setup commands run.
      handlerTimeoutMs: config.maxHoldMs + config.setupTimeoutMs + 300_000,
    }),
    logger: options.logger ?? new JsonLogger(POD_MANAGER_SERVICE),
  });
  app.useGlobalFilters(new RethrowRpcErrorsFilter());
  const workspaces = app.get(WorkspaceManager);
  await app.listen();

  const log = new Logger('PodManager');
  const periodic = (name: string, everyMs: number, work: () => Promise<unknown>) => {
    let running: Promise<unknown> | undefined;
    const timer = setInterval(() => {
      if (running) return; // one at a time: a slow sweep is not stacked
      running = work()
        .catch((error: unknown) => log.error(`${name} failed: ${(error as Error).message}`))
        .finally(() => (running = undefined));
    }, everyMs);
    timer.unref();
    return async () => {
      clearInterval(timer);
      await running;
    };
  };
  const stopCleanup = periodic('cleanup', config.cleanupIntervalMs, () => workspaces.cleanup());
  const stopHealth = periodic('health check', config.healthCheckIntervalMs, () => workspaces.checkHealth());

  let health: HealthServer | undefined;
  let healthPort: number | undefined;
  if (config.healthPort !== undefined) {
    health = new HealthServer(POD_MANAGER_SERVICE, {
      nats: () => natsReadiness(nc),
      workspaces: () => {
        const summary = workspaces.health;
        if (!summary) return 'not checked yet';
        const bad = summary.unhealthy.map((u) => `${u.workspaceId} ${u.health.status}`).join(', ');
        return `${summary.healthy} healthy${bad ? `, unhealthy: ${bad}` : ''} (at ${summary.checkedAt})`;
      },
    });
    healthPort = await health.listen(config.healthPort);
  }

  let closing: Promise<void> | undefined;
  return {
    topology,
    ...(healthPort === undefined ? {} : { healthPort }),
    cleanup: () => workspaces.cleanup(),
    checkHealth: () => workspaces.checkHealth(),
    close: () =>
      (closing ??= (async () => {
        health?.markDraining();
        await stopCleanup();
        await stopHealth();
        await app.close();
        await health?.close();
        if (!nc.isClosed()) await nc.drain();
      })()),
  };
}
