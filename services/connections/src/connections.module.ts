import { Module, type DynamicModule } from '@nestjs/common';
import type { Topology } from '@cohort/contracts';
import type { EventStore } from '@cohort/eventstore';
import { COMMAND_SERVER_OPTIONS, CommandServer, MESSAGING_TOPOLOGY, NATS_CONNECTION } from '@cohort/messaging';
import type { Redactor } from '@cohort/platform';
import type { NatsConnection } from '@nats-io/transport-node';
import { ConnectionsCommands } from './connections-commands.js';
import { SecretCommands } from './secret-commands.js';
import type { SecretVault } from './secrets/secret-vault.js';
import { EVENT_STORE, REDACTOR, SECRET_VAULT } from './tokens.js';

export const CONNECTIONS_SERVICE = 'connections';

export interface ConnectionsModuleOptions {
  readonly nc: NatsConnection;
  readonly topology: Topology;
  readonly store: EventStore;
  readonly vault: SecretVault;
  readonly redactor: Redactor;
}

@Module({})
export class ConnectionsModule {
  static register(options: ConnectionsModuleOptions): DynamicModule {
    return {
      module: ConnectionsModule,
      providers: [
        { provide: NATS_CONNECTION, useValue: options.nc },
        { provide: MESSAGING_TOPOLOGY, useValue: options.topology },
        { provide: EVENT_STORE, useValue: options.store },
        { provide: SECRET_VAULT, useValue: options.vault },
        { provide: REDACTOR, useValue: options.redactor },
        { provide: COMMAND_SERVER_OPTIONS, useValue: { service: CONNECTIONS_SERVICE } },
        CommandServer,
        SecretCommands,
        ConnectionsCommands,
      ],
    };
  }
}
