import { type DynamicModule, Module } from '@nestjs/common';
import type { JetStreamManager } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/transport-node';
import type { Topology } from '@cohort/contracts';
import type { EventStore } from '@cohort/eventstore';
import { COMMAND_SERVER_OPTIONS, CommandServer, MESSAGING_TOPOLOGY, NATS_CONNECTION } from '@cohort/messaging';
import type { PrWatcherConfig } from './config.js';
import { ForgeRegistry, JETSTREAM_MANAGER, TOPOLOGY } from './forge-registry.js';
import { PrWatcherCommands } from './pr-watcher-commands.js';
import { PrWatcherController } from './pr-watcher.controller.js';
import { PullRequestWatcher } from './pull-request-watcher.js';
import { EVENT_STORE, PR_WATCHER_CONFIG } from './tokens.js';

export const PR_WATCHER_SERVICE = 'pr-watcher';

/** What the process wiring (`startPrWatcher`) connects before Nest starts. */
export interface PrWatcherResources {
  readonly config: PrWatcherConfig;
  readonly nc: NatsConnection;
  readonly jsm: JetStreamManager;
  readonly topology: Topology;
  readonly store: EventStore;
}

@Module({})
export class PrWatcherModule {
  static with(resources: PrWatcherResources): DynamicModule {
    return {
      module: PrWatcherModule,
      controllers: [PrWatcherController],
      providers: [
        { provide: PR_WATCHER_CONFIG, useValue: resources.config },
        { provide: NATS_CONNECTION, useValue: resources.nc },
        { provide: MESSAGING_TOPOLOGY, useValue: resources.topology },
        { provide: TOPOLOGY, useValue: resources.topology },
        { provide: JETSTREAM_MANAGER, useValue: resources.jsm },
        { provide: EVENT_STORE, useValue: resources.store },
        { provide: COMMAND_SERVER_OPTIONS, useValue: { service: PR_WATCHER_SERVICE } },
        CommandServer,
        ForgeRegistry,
        PullRequestWatcher,
        PrWatcherCommands,
      ],
    };
  }
}
