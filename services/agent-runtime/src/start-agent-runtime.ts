import 'reflect-metadata';
import { Logger, type LoggerService, type LogLevel } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { MicroserviceOptions } from '@nestjs/microservices';
import { jetstreamManager } from '@nats-io/jetstream';
import { Kvm, type KV } from '@nats-io/kv';
import type { NatsConnection } from '@nats-io/transport-node';
import { topology as topologyOf, type Topology } from '@cohort/contracts';
import { connectEventLog, ensureEventStream, JetStreamEventStore } from '@cohort/eventstore';
import { ensureMessagingStreams, JetStreamTransport, RethrowRpcErrorsFilter } from '@cohort/messaging';
import { HealthServer, JsonLogger, natsReadiness, Redactor } from '@cohort/platform';
import { AgentRuntimeModule } from './agent-runtime.module.js';
import type { AgentRuntimeConfig } from './config.js';
import { ProcessLedger } from './process-ledger.js';
import { MAX_WAITING_RUNS, RunSupervisor } from './run-supervisor.js';

export const SERVICE_NAME = 'agent-runtime';

export interface StartOptions {
  /** Nest's logger: the service's JSON logger by default; log levels to keep Nest's own. */
  readonly logger?: LoggerService | LogLevel[] | false;
}

export interface AgentRuntimeHandle {
  readonly topology: Topology;
  /** The port /healthz and /readyz listen on, when served. */
  readonly healthPort: number | undefined;
  /** Runs whose agent is alive in this instance. */
  activeRuns(): readonly string[];
  /** Stops taking runs, stops the running agents (finished as failed, retryable) and disconnects. */
  close(): Promise<void>;
}

/** Opens the heartbeat bucket, creating it when nobody has yet; an existing bucket's settings are kept. */
export async function openHeartbeats(nc: NatsConnection, topology: Topology): Promise<KV> {
  const kvm = new Kvm(nc);
  try {
    return await kvm.create(topology.buckets.heartbeats, { history: 1 });
  } catch {
    // Created by the scheduler with settings of its own: bind to it as it is.
    return kvm.open(topology.buckets.heartbeats);
  }
}

/** Connects, makes sure the streams and the bucket exist, and starts consuming events. */
export async function startAgentRuntime(config: AgentRuntimeConfig, options: StartOptions = {}): Promise<AgentRuntimeHandle> {
  const topology = topologyOf(config.namespace);
  const redactor = new Redactor();
  const nc = await connectEventLog({ servers: config.natsUrl, name: SERVICE_NAME });
  try {
    const jsm = await jetstreamManager(nc);
    await ensureEventStream(jsm, topology);
    await ensureMessagingStreams(jsm, topology);
    const heartbeats = await openHeartbeats(nc, topology);
    const store = await JetStreamEventStore.create({ nc, topology });
    const logger = options.logger ?? new JsonLogger(SERVICE_NAME, { redactor });
    const ledger = new ProcessLedger(config.stateDir);
    const reaped = await ledger.reapOrphans();
    if (reaped.length > 0) {
      new Logger(SERVICE_NAME).warn(`killed the agents of runs ${reaped.join(', ')}, left behind by an instance that died`);
    }
    const app = await NestFactory.createMicroservice<MicroserviceOptions>(
      AgentRuntimeModule.with({ config, nc, topology, store, heartbeats, redactor, ledger }),
      {
        strategy: new JetStreamTransport({
          connection: nc,
          topology,
          service: SERVICE_NAME,
          // Room for every run starting or waiting for a slot, and still some for cancels and skips.
          concurrency: config.maxConcurrentAgents + MAX_WAITING_RUNS + 16,
        }),
        logger,
      },
    );
    app.useGlobalFilters(new RethrowRpcErrorsFilter());
    const supervisor = app.get(RunSupervisor);
    await app.listen();

    let health: HealthServer | undefined;
    let healthPort: number | undefined;
    if (config.healthPort !== undefined) {
      health = new HealthServer(SERVICE_NAME, {
        nats: () => natsReadiness(nc),
        agents: () => `${supervisor.activeRuns.length} of ${config.maxConcurrentAgents} running`,
      });
      healthPort = await health.listen(config.healthPort);
    }

    let closing: Promise<void> | undefined;
    return {
      topology,
      healthPort,
      activeRuns: () => supervisor.activeRuns,
      close: () =>
        (closing ??= (async () => {
          health?.markDraining();
          supervisor.stopAccepting();
          await app.close();
          await supervisor.shutdown();
          await health?.close();
          await nc.drain();
        })()),
    };
  } catch (error) {
    await nc.close();
    throw error;
  }
}
