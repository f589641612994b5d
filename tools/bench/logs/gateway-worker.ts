/**
 * The gateway under test, in a thread of its own so that the publishers and
 * clients of the benchmark do not share its event loop.
 */
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
});
// taskLogs reads NATS only; the read model is there because the gateway serves queries too.
const readModel = new PostgresReadModel({ databaseUrl: data.databaseUrl });
const gateway = await startGateway(config, { readModel, logger: new JsonLogger('gateway', { level: 'warn' }) });
parentPort!.postMessage({ type: 'started', url: gateway.url });
parentPort!.once('message', async () => {
  await gateway.close();
  await readModel.close();
  parentPort!.postMessage({ type: 'stopped' });
});
