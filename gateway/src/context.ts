import type { NatsConnection } from '@nats-io/transport-node';
import type { Topology } from '@cohort/contracts';
import type { EventStore } from '@cohort/eventstore';
import type { CommandClient } from '@cohort/messaging';
import type { JsonLogger } from '@cohort/platform';
import type { ReadModel } from './read-model.js';
import type { ApiTokenStore } from './auth/api-token-store.js';
import type { Principal } from './auth/authenticate.js';

/** One page of a run's log, as `Task.logs` returns it. */
export interface LogPageResult {
  readonly runId: string | null;
  readonly lines: readonly {
    readonly taskId: string;
    readonly runId: string;
    readonly seq: number;
    readonly stream: string;
    readonly text: string;
    readonly at: string;
  }[];
  readonly lastSeq: number;
  readonly hasMore: boolean;
}

/** Reads a page of a run's log (the task's latest run when runId is undefined). */
export type LogPageReader = (args: {
  readonly taskId: string;
  readonly runId: string | undefined;
  readonly fromSeq: number;
  readonly limit: number;
}) => Promise<LogPageResult>;

/** What resolvers use; shared by every request. */
export interface GatewayServices {
  readonly nc: NatsConnection;
  readonly topology: Topology;
  readonly readModel: ReadModel;
  readonly events: EventStore;
  readonly commands: CommandClient;
  readonly tokens: ApiTokenStore;
  readonly logger: JsonLogger;
  /** How long `atLeast` waits for the projections. */
  readonly atLeastTimeoutMs: number;
  /** Pages of run logs, when the log reader is wired in. */
  readonly logPage?: LogPageReader;
}

/** The context of one GraphQL operation. */
export interface GatewayContext {
  readonly principal: Principal;
  readonly services: GatewayServices;
}
