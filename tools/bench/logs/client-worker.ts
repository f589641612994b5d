/**
 * The benchmark's readers, one per run, in a thread of their own: graphql-ws
 * clients of the gateway's taskLogs, or (the baseline) ordered JetStream
 * consumers reading the same subjects directly.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { DeliverPolicy, jetstream, type ConsumerMessages } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import { createClient, type Client } from 'graphql-ws';
import WebSocket from 'ws';
import { topology } from '@cohort/contracts';
import { nowMs, type ClientCommand, type ClientReply, type ClientWorkerData, type RoundStats, type RunRef } from './protocol.js';

const data = workerData as ClientWorkerData;
const tp = topology(data.namespace);
const nc = await connect({ servers: data.natsUrl, name: 'bench-logs-clients' });
const port = parentPort!;

const TASK_LOGS = `subscription ($taskId: ID!, $runId: ID!) { taskLogs(taskId: $taskId, runId: $runId) { lines { seq text } } }`;

interface LogChunk {
  readonly lines: readonly { readonly seq: number; readonly text: string }[];
}

/** What one reader saw of its run. */
class RunTally {
  readonly seen = new Set<number>();
  last = 0;
  duplicated = 0;
  outOfOrder = 0;
  readonly latencies: number[] = [];
  /** Messages the reader got: chunks through the gateway, lines straight from JetStream. */
  payloads = 0;
  largestPayload = 0;

  received(lines: number): void {
    this.payloads++;
    this.largestPayload = Math.max(this.largestPayload, lines);
  }

  record(seq: number, text: string, receivedAt: number): void {
    if (this.seen.has(seq)) this.duplicated++;
    else this.seen.add(seq);
    if (seq < this.last) this.outOfOrder++;
    this.last = Math.max(this.last, seq);
    // Publishers write the publish time as the line's text.
    this.latencies.push(receivedAt - Number(text));
  }
}

let tallies: RunTally[] = [];
let stops: (() => Promise<void>)[] = [];
let clients: Client[] = [];

function reply(message: ClientReply): void {
  port.postMessage(message);
}

async function subscribeGateway(runs: readonly RunRef[]): Promise<void> {
  for (const run of runs) {
    const tally = new RunTally();
    tallies.push(tally);
    const client = createClient({
      url: data.gatewayUrl.replace(/^http/, 'ws'),
      webSocketImpl: WebSocket,
      connectionParams: { authorization: `Bearer ${data.token}` },
      retryAttempts: 0,
      lazy: false,
    });
    clients.push(client);
    const stop = client.subscribe<{ taskLogs: LogChunk }>(
      { query: TASK_LOGS, variables: { taskId: run.taskId, runId: run.runId } },
      {
        next: (result) => {
          const receivedAt = nowMs();
          // Every line of a chunk arrived when the chunk did: each counts its own wait since it was published.
          if (result.data) {
            tally.received(result.data.taskLogs.lines.length);
            for (const line of result.data.taskLogs.lines) tally.record(line.seq, line.text, receivedAt);
          } else reply({ type: 'error', message: JSON.stringify(result.errors) });
        },
        error: (error) => reply({ type: 'error', message: String((error as Error)?.message ?? error) }),
        complete: () => undefined,
      },
    );
    stops.push(async () => stop());
  }
}

async function subscribeJetStream(runs: readonly RunRef[]): Promise<void> {
  const js = jetstream(nc);
  await Promise.all(
    runs.map(async (run) => {
      const tally = new RunTally();
      tallies.push(tally);
      const consumer = await js.consumers.get(tp.streams.logs, {
        filter_subjects: tp.log(run.taskId, run.runId),
        deliver_policy: DeliverPolicy.All,
      });
      const messages: ConsumerMessages = await consumer.consume({ max_messages: 256 });
      void (async () => {
        for await (const message of messages) {
          const receivedAt = nowMs();
          // A raw reader: the line as JSON, no validation.
          const line = message.json<{ seq: number; text: string }>();
          tally.received(1);
          tally.record(line.seq, line.text, receivedAt);
        }
      })();
      stops.push(async () => {
        void messages.close();
        await consumer.delete().catch(() => undefined);
      });
    }),
  );
}

async function finish(expectedPerRun: number, timeoutMs: number): Promise<RoundStats> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline && tallies.some((tally) => tally.seen.size < expectedPerRun)) {
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  await Promise.all(stops.map((stop) => stop()));
  await Promise.all(clients.map((client) => client.dispose()));
  const stats: RoundStats = {
    latenciesMs: tallies.flatMap((tally) => tally.latencies),
    received: tallies.reduce((sum, tally) => sum + tally.seen.size, 0),
    lost: tallies.reduce((sum, tally) => sum + Math.max(0, expectedPerRun - tally.seen.size), 0),
    duplicated: tallies.reduce((sum, tally) => sum + tally.duplicated, 0),
    outOfOrder: tallies.reduce((sum, tally) => sum + tally.outOfOrder, 0),
    payloads: tallies.reduce((sum, tally) => sum + tally.payloads, 0),
    largestPayload: Math.max(0, ...tallies.map((tally) => tally.largestPayload)),
  };
  tallies = [];
  stops = [];
  clients = [];
  return stats;
}

port.on('message', async (command: ClientCommand) => {
  try {
    switch (command.type) {
      case 'subscribe':
        await (command.path === 'gateway' ? subscribeGateway(command.runs) : subscribeJetStream(command.runs));
        reply({ type: 'subscribed' });
        break;
      case 'finish':
        reply({ type: 'finished', stats: await finish(command.expectedPerRun, command.timeoutMs) });
        break;
      case 'exit':
        await nc.close();
        port.close();
        break;
    }
  } catch (error) {
    reply({ type: 'error', message: (error as Error).message });
  }
});
