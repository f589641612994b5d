import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { RebuildProjectionsSchema, CommandErrorCode, type Topology } from '@cohort/contracts';
import { CommandFailure, CommandServer, MESSAGING_TOPOLOGY, NATS_CONNECTION } from '@cohort/messaging';
import { Projector, RebuildUnavailable, REBUILD_COMMAND } from '@cohort/projections';
import type { NatsConnection } from '@nats-io/transport-node';
import type { ProjectorConfig } from './config.js';
import { PROJECTOR_CONFIG } from './tokens.js';

/**
 * Runs the projector for the life of the app and serves RebuildProjections
 * while this replica is the active one (standbys do not take commands, so a
 * request always reaches the replica that can act on it).
 */
@Injectable()
export class ProjectorRunner implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly log = new Logger('Projector');
  private readonly logs = new Map<string, Logger>();
  readonly projector: Projector;

  constructor(
    @Inject(PROJECTOR_CONFIG) config: ProjectorConfig,
    @Inject(NATS_CONNECTION) nc: NatsConnection,
    @Inject(MESSAGING_TOPOLOGY) topology: Topology,
    @Inject(CommandServer) private readonly commands: CommandServer,
  ) {
    this.projector = new Projector({
      nc,
      topology,
      // The same servers as the service's connection: a thread of the projector reads the log over its own.
      natsServers: config.natsUrl.split(','),
      databaseUrl: config.databaseUrl,
      schema: config.schema,
      batchSize: config.batchSize,
      batchLatencyMs: config.batchLatencyMs,
      cacheSize: config.cacheSize,
      poolSize: config.poolSize,
      retryDelayMs: config.retryDelayMs,
      standbyPollMs: config.standbyPollMs,
      // Each message under the projector's own context (Projector, Rebuild, Migrations, …): a Nest logger made
      // with one context would file them all under it.
      logger: {
        log: (message, context) => this.logFor(context).log(message),
        warn: (message, context) => this.logFor(context).warn(message),
        error: (message, context) => this.logFor(context).error(message),
      },
      onActive: () => this.commands.listen(),
      onInactive: () => this.commands.close(),
    });
    this.commands.handle(REBUILD_COMMAND, RebuildProjectionsSchema, async () => {
      try {
        const started = await this.projector.rebuild();
        return { aggregateId: `g${started.generation}`, position: String(this.projector.status().checkpoint) };
      } catch (error) {
        if (error instanceof RebuildUnavailable) throw new CommandFailure(CommandErrorCode.UNAVAILABLE, error.message);
        throw error;
      }
    });
  }

  private logFor(context: string | undefined): Logger {
    if (context === undefined) return this.log;
    let logger = this.logs.get(context);
    if (!logger) this.logs.set(context, (logger = new Logger(context)));
    return logger;
  }

  async onApplicationBootstrap(): Promise<void> {
    await this.projector.start();
  }

  async onApplicationShutdown(): Promise<void> {
    await this.projector.stop();
  }
}
