import { JsonLogger, onShutdownSignal } from '@cohort/platform';
import { readSchedulerConfig } from './config.js';
import { SERVICE, startScheduler } from './start-scheduler.js';

const logger = new JsonLogger(SERVICE);
try {
  const config = readSchedulerConfig();
  const scheduler = await startScheduler(config, { logger });
  onShutdownSignal(() => scheduler.close(), { log: (message) => logger.log(message) });
  logger.log(
    `scheduling on ${config.natsUrl} (namespace ${config.namespace}, ${config.maxConcurrentRuns} run slots, resync every ${config.resyncMs} ms)` +
      (scheduler.healthPort !== undefined ? `, health on :${scheduler.healthPort}` : ''),
  );
} catch (error) {
  logger.error(`scheduler failed to start: ${(error as Error).message}`);
  process.exit(1);
}
