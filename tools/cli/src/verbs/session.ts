import { jetstreamManager } from '@nats-io/jetstream';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { topology, type Topology } from '@cohort/contracts';
import { JetStreamEventStore } from '@cohort/eventstore';
import { CommandClient } from '@cohort/messaging';
import type { CliConfig } from '../config.js';

/** What the verbs talk to: commands to the services, and the event log for reading. */
export interface Session {
  readonly nc: NatsConnection;
  readonly topology: Topology;
  readonly commands: CommandClient;
  readonly events: JetStreamEventStore;
  close(): Promise<void>;
}

export class NatsUnreachable extends Error {
  constructor(url: string, cause: string) {
    super(`cannot reach NATS at ${url} (${cause}); is Cohort up? Start it with ./cohort up, or set NATS_URL`);
    this.name = 'NatsUnreachable';
  }
}

export async function openSession(config: CliConfig, commandTimeoutMs = 10_000): Promise<Session> {
  let nc: NatsConnection;
  try {
    nc = await connect({ servers: config.natsUrl, name: 'cohort-cli', timeout: 3000 });
  } catch (error) {
    throw new NatsUnreachable(config.natsUrl, (error as Error).message);
  }
  const tp = topology(config.namespace);
  const jsm = await jetstreamManager(nc);
  const exists = await jsm.streams.info(tp.streams.events).then(
    () => true,
    () => false,
  );
  if (!exists) {
    await nc.close();
    throw new Error(`no Cohort event log (stream ${tp.streams.events}) on NATS at ${config.natsUrl}; start Cohort with ./cohort up`);
  }
  return {
    nc,
    topology: tp,
    commands: new CommandClient(nc, tp, { timeoutMs: commandTimeoutMs }),
    events: await JetStreamEventStore.create({ nc, topology: tp }),
    close: () => nc.close(),
  };
}
