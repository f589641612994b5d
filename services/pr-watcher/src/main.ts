import { ConfigError, onShutdownSignal } from '@cohort/platform';
import { readPrWatcherConfig } from './config.js';
import { startPrWatcher } from './start-pr-watcher.js';

const log = (message: string) =>
  process.stderr.write(`${JSON.stringify({ time: new Date().toISOString(), service: 'pr-watcher', msg: message })}\n`);

try {
  const config = readPrWatcherConfig();
  const service = await startPrWatcher(config);
  log(
    `pr-watcher started (namespace ${config.namespace}, data ${config.dataDir}${service.healthPort !== undefined ? `, health on :${service.healthPort}` : ''})`,
  );
  onShutdownSignal(() => service.close(), { timeoutMs: 15_000, log });
} catch (error) {
  log(error instanceof ConfigError ? error.message : `pr-watcher failed to start: ${(error as Error).message}`);
  process.exit(1);
}
