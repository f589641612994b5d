import { randomBytes, randomUUID } from 'node:crypto';
import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import { headers as natsHeaders, type NatsConnection } from '@nats-io/transport-node';
import { createClient, type Client } from 'graphql-ws';
import WebSocket from 'ws';
import {
  create,
  encodeJson,
  Headers,
  LogLineSchema,
  LogStream,
  RunKind,
  RunScheduledSchema,
  TaskCreatedSchema,
  TaskKind,
  type NewEvent,
  type Topology,
} from '@cohort/contracts';
import { ensureEventStream, JetStreamEventStore } from '@cohort/eventstore';
import { ensureMessagingStreams } from '@cohort/messaging';
import { JsonLogger } from '@cohort/platform';
import { readGatewayConfig } from '../config.js';
import type { ReadModel } from '../read-model.js';
import { startGateway, type RunningGateway } from '../start-gateway.js';

/**
 * The real gateway (which mounts these subscription resolvers) on one namespace, and
 * graphql-ws clients authenticated against it: for the subscription tests and
 * the logs benchmark.
 */
export interface LiveGateway {
  readonly gateway: RunningGateway;
  readonly events: JetStreamEventStore;
  /** A graphql-ws client with the admin token (over `webSocketImpl`, default `ws`); closed by close(). */
  client(webSocketImpl?: typeof WebSocket): Client;
  close(): Promise<void>;
}

export async function startLiveGateway(options: {
  readonly nc: NatsConnection;
  readonly topology: Topology;
  readonly natsUrl: string;
  readonly readModel: ReadModel;
  /** @default warnings and errors only */
  readonly logger?: JsonLogger;
}): Promise<LiveGateway> {
  const jsm = await jetstreamManager(options.nc);
  await ensureEventStream(jsm, options.topology);
  await ensureMessagingStreams(jsm, options.topology);
  const events = await JetStreamEventStore.create({ nc: options.nc, topology: options.topology });
  const token = `test-admin-${randomBytes(12).toString('hex')}`;
  const config = readGatewayConfig({
    NATS_URL: options.natsUrl,
    COHORT_NAMESPACE: options.topology.namespace,
    GATEWAY_PORT: '0',
    COHORT_ADMIN_TOKEN: token,
  });
  const gateway = await startGateway(config, {
    readModel: options.readModel,
    logger: options.logger ?? new JsonLogger('gateway', { level: 'warn' }),
  });
  const clients: Client[] = [];
  return {
    gateway,
    events,
    client: (webSocketImpl = WebSocket) => {
      const client = createClient({
        url: gateway.url.replace(/^http/, 'ws'),
        webSocketImpl,
        connectionParams: { authorization: `Bearer ${token}` },
        retryAttempts: 0,
      });
      clients.push(client);
      return client;
    },
    close: async () => {
      await Promise.all(clients.map((client) => client.dispose()));
      await gateway.close();
    },
  };
}

/** Appends TaskCreated and one RunScheduled per run id: what the log subscriptions check before tailing. */
export async function createTaskWithRuns(
  events: JetStreamEventStore,
  taskId: string,
  runIds: readonly string[],
  title = taskId,
): Promise<number> {
  const batch: NewEvent[] = [
    {
      id: randomUUID(),
      type: 'TaskCreated',
      data: create(TaskCreatedSchema, { taskId, kind: TaskKind.STANDALONE, title, prompt: `prompt of ${title}`, agent: 'scripted' }),
    },
    ...runIds.map((runId, index): NewEvent => ({
      id: randomUUID(),
      type: 'RunScheduled',
      data: create(RunScheduledSchema, { runId, attempt: index + 1, kind: index === 0 ? RunKind.INITIAL : RunKind.RESUME }),
    })),
  ];
  return (await events.append({ type: 'task', id: taskId }, batch, { expectedVersion: 0 })).version;
}

/**
 * Publishes one run's lines as agent-runtime's LogPublisher does: in order, one
 * at a time, `Nats-Msg-Id` `<runId>:<seq>`. `text` defaults to `line <seq>`.
 */
export function runLogPublisher(nc: NatsConnection, tp: Topology, taskId: string, runId: string) {
  const js = jetstream(nc);
  const subject = tp.log(taskId, runId);
  return async (seq: number, text = `line ${seq}`): Promise<void> => {
    const line = create(LogLineSchema, { taskId, runId, seq, stream: LogStream.STDOUT, text, at: new Date().toISOString() });
    const h = natsHeaders();
    h.set(Headers.msgId, `${runId}:${seq}`);
    await js.publish(subject, encodeJson(LogLineSchema, line), { headers: h });
  };
}
