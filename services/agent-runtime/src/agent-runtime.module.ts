import { type DynamicModule, Module } from '@nestjs/common';
import type { KV } from '@nats-io/kv';
import type { NatsConnection } from '@nats-io/transport-node';
import type { Topology } from '@cohort/contracts';
import type { EventStore } from '@cohort/eventstore';
import { CommandClient, MESSAGING_TOPOLOGY, NATS_CONNECTION } from '@cohort/messaging';
import type { Redactor } from '@cohort/platform';
import { AgentRuntimeController } from './agent-runtime.controller.js';
import type { AgentRuntimeConfig } from './config.js';
import { RunSupervisor } from './run-supervisor.js';
import type { ProcessLedger } from './process-ledger.js';
import { AGENT_RUNTIME_CONFIG, EVENT_STORE, HEARTBEATS_KV, PROCESS_LEDGER, SECRET_REDACTOR } from './tokens.js';

/** What the process wiring (`startAgentRuntime`) connects before Nest starts. */
export interface AgentRuntimeResources {
  readonly config: AgentRuntimeConfig;
  readonly nc: NatsConnection;
  readonly topology: Topology;
  readonly store: EventStore;
  readonly heartbeats: KV;
  readonly redactor: Redactor;
  readonly ledger: ProcessLedger;
}

@Module({})
export class AgentRuntimeModule {
  static with(resources: AgentRuntimeResources): DynamicModule {
    return {
      module: AgentRuntimeModule,
      controllers: [AgentRuntimeController],
      providers: [
        { provide: AGENT_RUNTIME_CONFIG, useValue: resources.config },
        { provide: NATS_CONNECTION, useValue: resources.nc },
        { provide: MESSAGING_TOPOLOGY, useValue: resources.topology },
        { provide: EVENT_STORE, useValue: resources.store },
        { provide: HEARTBEATS_KV, useValue: resources.heartbeats },
        { provide: SECRET_REDACTOR, useValue: resources.redactor },
        { provide: PROCESS_LEDGER, useValue: resources.ledger },
        CommandClient,
        RunSupervisor,
      ],
    };
  }
}
