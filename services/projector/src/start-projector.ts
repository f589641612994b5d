import 'reflect-metadata';
import type { LoggerService, LogLevel } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { jetstreamManager } from '@nats-io/jetstream';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import pg from 'pg';
import { topology } from '@cohort/contracts';
import { ensureEventStream } from '@cohort/eventstore';
import { HealthServer, natsReadiness } from '@cohort/platform';
import { PROJECTOR_SERVICE } from '@cohort/projections';
import type { ProjectorConfig } from './config.js';
import { ProjectorModule } from './projector.module.js';
import { ProjectorRunner } from './projector-runner.js';

export interface RunningService {
  close(): Promise<void>;
  /** Port of /healthz and /readyz when the health server runs. */
  readonly healthPort?: number;
  readonly runner: ProjectorRunner;
}

export interface StartOptions {
  /** Where Nest and the service log. @default Nest's console logger */
  readonly logger?: LoggerService;
}

/**
 * Connects to NATS, makes sure the events stream exists and starts projecting
 * it into Postgres; with a port configured, serves health: NATS, Postgres and
 * how far the projections are behind the log.
 */
export async function startProjector(config: ProjectorConfig, options: StartOptions = {}): Promise<RunningService> {
  const nc = await connect({ servers: config.natsUrl.split(','), name: PROJECTOR_SERVICE });
  try {
    return await startOn(nc, config, options);
  } catch (error) {
    await nc.close();
    throw error;
  }
}

async function startOn(nc: NatsConnection, config: ProjectorConfig, options: StartOptions): Promise<RunningService> {
  const tp = topology(config.namespace);
  const jsm = await jetstreamManager(nc);
  await ensureEventStream(jsm, tp);
  const logger: LoggerService | LogLevel[] = options.logger ?? ['log', 'warn', 'error'];
  const app = await NestFactory.createApplicationContext(ProjectorModule.register({ config, nc, topology: tp }), { logger });
  await app.init();
  const runner = app.get(ProjectorRunner);

  const probe = new pg.Pool({ connectionString: config.databaseUrl, max: 1, connectionTimeoutMillis: 2000, idleTimeoutMillis: 5000 });
  probe.on('error', () => undefined);
  const health = new HealthServer(PROJECTOR_SERVICE, {
    nats: () => natsReadiness(nc),
    postgres: async () => {
      await probe.query('SELECT 1');
      return 'answering';
    },
    projection: async () => {
      const status = runner.projector.status();
      if (!status.active)
        return status.lastError ? `standby; last failure: ${status.lastError}` : 'standby (another replica applies events)';
      if (status.lastError) throw new Error(`not applying: ${status.lastError}`);
      const head = (await jsm.streams.info(tp.streams.events)).state.last_seq;
      return `generation ${status.generation}, checkpoint ${status.checkpoint}, lag ${Math.max(0, head - status.checkpoint)} events${
        status.rebuilding ? `, rebuilding generation ${status.rebuilding}` : ''
      }`;
    },
  });
  const healthPort = config.healthPort !== undefined ? await health.listen(config.healthPort) : undefined;

  let closing: Promise<void> | undefined;
  const close = () =>
    (closing ??= (async () => {
      health.markDraining();
      await app.close();
      await health.close();
      await probe.end().catch(() => undefined);
      if (!nc.isClosed()) await nc.drain();
    })());
  return healthPort === undefined ? { close, runner } : { close, healthPort, runner };
}
