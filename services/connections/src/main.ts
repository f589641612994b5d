import { JsonLogger, Redactor, onShutdownSignal } from '@cohort/platform';
import { readConnectionsConfig } from './config.js';
import { startConnections } from './start-connections.js';

const redactor = new Redactor();
const logger = new JsonLogger('connections', { redactor });
try {
  const config = readConnectionsConfig();
  const starting = startConnections(config, { logger, redactor });
  // Registered before start-up completes: a signal while starting still shuts down cleanly.
  onShutdownSignal(async () => (await starting).close(), { log: (message) => logger.log(message, 'Shutdown') });
  const service = await starting;
  logger.log(
    `connections started on ${config.natsUrl} (namespace ${config.namespace})${service.healthPort ? `, health on :${service.healthPort}` : ''}`,
    'Main',
  );
} catch (error) {
  logger.error(error instanceof Error ? error.message : String(error), 'Main');
  process.exit(1);
}
