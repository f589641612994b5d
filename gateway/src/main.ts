import { JsonLogger, onShutdownSignal } from '@cohort/platform';
import { readGatewayConfig } from './config.js';
import { startGateway } from './start-gateway.js';

const logger = new JsonLogger('gateway');
try {
  const config = readGatewayConfig();
  const starting = startGateway(config, { logger });
  // Registered before start-up completes: a signal while starting still shuts down cleanly.
  onShutdownSignal(async () => (await starting).close(), { log: (message) => logger.log(message, 'Shutdown') });
  const gateway = await starting;
  logger.log(`gateway started on ${gateway.url} (NATS ${config.natsUrl}, namespace ${config.namespace})`, 'Main');
} catch (error) {
  logger.error(error instanceof Error ? error.message : String(error), 'Main');
  process.exit(1);
}
