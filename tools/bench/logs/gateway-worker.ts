/**
 * The gateway under test, in a thread of its own so that the publishers and
 * clients of the benchmark do not share its event loop.
 */
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { parentPort, workerData } from 'node:worker_threads';
import { JsonLogger } from '@cohort/platform';
import { PostgresReadModel } from '@cohort/projections';
import { readGatewayConfig, startGateway } from '@cohort/gateway';
import type { GatewayWorkerData } from './protocol.js';

const data = workerData as GatewayWorkerData;
const config = readGatewayConfig({
  NATS_URL: data.natsUrl,
  COHORT_NAMESPACE: data.namespace,
  GATEWAY_PORT: '0',
  COHORT_ADMIN_TOKEN: data.token,
  DATABASE_URL: data.databaseUrl,
  // The gateway's own setting, so the pacing of taskLogs payloads can be compared.
  ...(process.env.GATEWAY_LOG_FLUSH_MS === undefined ? {} : { GATEWAY_LOG_FLUSH_MS: process.env.GATEWAY_LOG_FLUSH_MS }),
});
// taskLogs reads NATS only; the read model is there because the gateway serves queries too.
const readModel = new PostgresReadModel({ databaseUrl: data.databaseUrl });
const gateway = await startGateway(config, { readModel, logger: new JsonLogger('gateway', { level: 'warn' }) });
// How late this thread runs what is ready: the part of the latency that is CPU starvation.
const loopDelay = monitorEventLoopDelay({ resolution: 5 });
loopDelay.enable();
parentPort!.postMessage({ type: 'started', url: gateway.url, logFlushIntervalMs: config.logFlushIntervalMs });
parentPort!.on('message', async (command: { type: 'reset-loop-delay' | 'loop-delay' | 'stop' }) => {
  if (command.type === 'reset-loop-delay') loopDelay.reset();
  else if (command.type === 'loop-delay')
    parentPort!.postMessage({ type: 'loop-delay', p99Ms: loopDelay.percentile(99) / 1e6, maxMs: loopDelay.max / 1e6 });
  else {
    await gateway.close();
    await readModel.close();
    parentPort!.postMessage({ type: 'stopped' });
  }
});
