import 'reflect-metadata';
import { Logger, type LoggerService } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { MicroserviceOptions } from '@nestjs/microservices';
import { jetstreamManager } from '@nats-io/jetstream';
import { Kvm } from '@nats-io/kv';
import { topology } from '@cohort/contracts';
import { connectEventLog, ensureEventStream, JetStreamEventStore } from '@cohort/eventstore';
import { ensureMessagingStreams, JetStreamTransport, RethrowRpcErrorsFilter } from '@cohort/messaging';
import { HealthServer, natsReadiness } from '@cohort/platform';
import { ActiveTaskIndex } from './active-task-index.js';
import type { SchedulerConfig } from './config.js';
import { RepoLimits } from './repo-limits.js';
import { Scheduler } from './scheduler.js';
import { SchedulerModule } from './scheduler.module.js';
import { TaskReconciler, type TaskReconcilerOptions } from './task-reconciler.js';

export const SERVICE = 'scheduler';

export interface RunningScheduler {
  /** Stops consuming (in-flight handlers finish), stops the resync, drains the connection. */
  close(): Promise<void>;
  /** The port /healthz and /readyz listen on, when HEALTH_PORT is set. */
  readonly healthPort?: number;
  /** Reconciles every active task now, as the periodic resync does. */
  resync(): Promise<void>;
}

export interface StartSchedulerOptions {
  /** Receives the scheduler's own warnings (failed resync steps and the like). @default the Nest logger */
  readonly onWarning?: (message: string) => void;
  /** @default a Nest Logger per component */
  readonly logger?: LoggerService | false;
  /** @default Date.now */
  readonly clock?: () => number;
}

/** Connects, makes sure the streams and buckets exist, and starts consuming events and resyncing. */
export async function startScheduler(config: SchedulerConfig, options: StartSchedulerOptions = {}): Promise<RunningScheduler> {
  const tp = topology(config.namespace);
  const nc = await connectEventLog({ servers: config.natsUrl, name: SERVICE });
  try {
    const jsm = await jetstreamManager(nc);
    await ensureEventStream(jsm, tp);
    await ensureMessagingStreams(jsm, tp);
    const store = await JetStreamEventStore.create({ nc, topology: tp });
    const kvm = new Kvm(nc);
    // History 1: only the latest summary or heartbeat matters.
    const index = new ActiveTaskIndex(await kvm.create(tp.buckets.activeTasks, { history: 1 }));
    const heartbeats = await kvm.create(tp.buckets.heartbeats, { history: 1 });
    await index.start();

    const base = options.logger === false ? silent : new Logger('Scheduler');
    const log = {
      log: (message: string) => base.log(message),
      error: (message: string) => base.error(message),
      warn: (message: string) => {
        options.onWarning?.(message);
        base.warn(message);
      },
    };
    const repoLimits = new RepoLimits(store, config.resyncMs);
    const reconcilerOptions: TaskReconcilerOptions = {
      store,
      index,
      heartbeats,
      repoLimits,
      maxConcurrentRuns: config.maxConcurrentRuns,
      policy: config.policy,
      seed: config.namespace,
      passTimeoutMs: config.passTimeoutMs,
      ...(options.clock ? { clock: options.clock } : {}),
      log,
    };
    const reconciler = new TaskReconciler(reconcilerOptions);
    const scheduler = new Scheduler({
      reconciler,
      index,
      repoLimits,
      maxConcurrentRuns: config.maxConcurrentRuns,
      resyncMs: config.resyncMs,
      passTimeoutMs: config.passTimeoutMs,
      log,
    });

    reconcilerOptions.onSlotDeferred = () => scheduler.requestFill();
    const app = await NestFactory.createMicroservice<MicroserviceOptions>(SchedulerModule.forRoot(scheduler), {
      strategy: new JetStreamTransport({
        connection: nc,
        topology: tp,
        service: SERVICE,
        concurrency: config.concurrency,
        ackWaitMs: config.ackWaitMs,
      }),
      logger: options.logger ?? undefined,
    });
    app.useGlobalFilters(new RethrowRpcErrorsFilter());
    await app.listen();

    let health: HealthServer | undefined;
    let healthPort: number | undefined;
    if (config.healthPort !== undefined) {
      health = new HealthServer(SERVICE, {
        nats: () => natsReadiness(nc),
      });
      healthPort = await health.listen(config.healthPort);
    }

    let closing: Promise<void> | undefined;
    return {
      ...(healthPort !== undefined ? { healthPort } : {}),
      resync: () => scheduler.resync(),
      close: () =>
        (closing ??= (async () => {
          health?.markDraining();
          await app.close();
          await index.stop();
          await health?.close();
          if (!nc.isClosed()) await nc.drain();
        })()),
    };
  } catch (error) {
    await nc.close();
    throw error;
  }
}

const silent = { log: () => undefined, warn: () => undefined, error: () => undefined };
