import { Module, type DynamicModule } from '@nestjs/common';
import type { Topology } from '@cohort/contracts';
import { COMMAND_SERVER_OPTIONS, CommandServer, MESSAGING_TOPOLOGY, NATS_CONNECTION } from '@cohort/messaging';
import { PROJECTOR_SERVICE } from '@cohort/projections';
import type { NatsConnection } from '@nats-io/transport-node';
import type { ProjectorConfig } from './config.js';
import { ProjectorRunner } from './projector-runner.js';
import { PROJECTOR_CONFIG } from './tokens.js';

export interface ProjectorModuleOptions {
  readonly config: ProjectorConfig;
  readonly nc: NatsConnection;
  readonly topology: Topology;
}

@Module({})
export class ProjectorModule {
  static register(options: ProjectorModuleOptions): DynamicModule {
    return {
      module: ProjectorModule,
      providers: [
        { provide: PROJECTOR_CONFIG, useValue: options.config },
        { provide: NATS_CONNECTION, useValue: options.nc },
        { provide: MESSAGING_TOPOLOGY, useValue: options.topology },
        { provide: COMMAND_SERVER_OPTIONS, useValue: { service: PROJECTOR_SERVICE } },
        CommandServer,
        ProjectorRunner,
      ],
    };
  }
}
