import { Module, type DynamicModule } from '@nestjs/common';
import type { Topology } from '@cohort/contracts';
import type { EventStore } from '@cohort/eventstore';
import { COMMAND_SERVER_OPTIONS, CommandServer, MESSAGING_TOPOLOGY, NATS_CONNECTION } from '@cohort/messaging';
import type { NatsConnection } from '@nats-io/transport-node';
import type { IntakeConfig } from './config.js';
import { TaskRequestedController } from './inbound/task-requested.controller.js';
import { IntakeCommands } from './intake-commands.js';
import { RepoCatalog } from './repos/repo-catalog.js';
import { RepoCommands } from './repos/repo-commands.js';
import { TaskCommands } from './tasks/task-commands.js';
import { TaskEventsController } from './tasks/task-events.controller.js';
import { TicketCloser } from './tasks/ticket-closer.js';
import { EVENT_STORE, INTAKE_CONFIG } from './tokens.js';

export const INTAKE_SERVICE = 'intake';

export interface IntakeModuleOptions {
  readonly config: IntakeConfig;
  readonly nc: NatsConnection;
  readonly topology: Topology;
  readonly store: EventStore;
}

/** Commands and task events: the main application of the service. */
@Module({})
export class IntakeModule {
  static register(options: IntakeModuleOptions): DynamicModule {
    return {
      module: IntakeModule,
      controllers: [TaskEventsController],
      providers: [
        { provide: INTAKE_CONFIG, useValue: options.config },
        { provide: NATS_CONNECTION, useValue: options.nc },
        { provide: MESSAGING_TOPOLOGY, useValue: options.topology },
        { provide: EVENT_STORE, useValue: options.store },
        { provide: COMMAND_SERVER_OPTIONS, useValue: { service: INTAKE_SERVICE } },
        { provide: RepoCatalog, useFactory: () => new RepoCatalog(options.store, options.nc, options.topology) },
        CommandServer,
        RepoCommands,
        TaskCommands,
        TicketCloser,
        IntakeCommands,
      ],
      exports: [TaskCommands],
    };
  }
}

/**
 * The inbox consumer: a second microservice on its own stream, sharing the
 * main application's TaskCommands so both paths create tasks the same way.
 */
@Module({})
export class IntakeInboxModule {
  static register(tasks: TaskCommands): DynamicModule {
    return {
      module: IntakeInboxModule,
      controllers: [TaskRequestedController],
      providers: [{ provide: TaskCommands, useValue: tasks }],
    };
  }
}
