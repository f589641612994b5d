import { ConfigError, onShutdownSignal } from '@cohort/platform';
import { readPodManagerConfig } from './config.js';
import { startPodManager } from './start-pod-manager.js';

const log = (message: string) =>
  process.stderr.write(`${JSON.stringify({ time: new Date().toISOString(), service: 'pod-manager', msg: message })}\n`);

try {
  const config = readPodManagerConfig();
  const service = await startPodManager(config);
  log(
    `pod-manager started (namespace ${config.namespace}, data ${config.dataDir}${service.healthPort !== undefined ? `, health on :${service.healthPort}` : ''})`,
  );
  onShutdownSignal(() => service.close(), { timeoutMs: 15_000, log });
} catch (error) {
  log(error instanceof ConfigError ? error.message : `pod-manager failed to start: ${(error as Error).message}`);
  process.exit(1);
}
