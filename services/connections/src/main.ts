import { JsonLogger, Redactor, onShutdownSignal } from '@cohort/platform';
import { readConnectionsConfig } from './config.js';
import { startConnections } from './start-connections.js';

const redactor = new Redactor();
const logger = new JsonLogger('connections', { redactor });
try {
  const config = readConnectionsConfig();
  const service = await startConnections(config, { logger, redactor });
  onShutdownSignal(() => service.close(), { log: (message) => logger.log(message, 'Shutdown') });
  logger.log(
    `connections started on ${config.natsUrl} (namespace ${config.namespace})${service.healthPort ? `, health on :${service.healthPort}` : ''}`,
    'Main',
  );
} catch (error) {
  logger.error(error instanceof Error ? error.message : String(error), 'Main');
  process.exit(1);
}
