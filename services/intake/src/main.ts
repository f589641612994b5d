import { JsonLogger, onShutdownSignal } from '@cohort/platform';
import { readIntakeConfig } from './config.js';
import { startIntake } from './start-intake.js';

const logger = new JsonLogger('intake');
try {
  const config = readIntakeConfig();
  const service = await startIntake(config, { logger });
  onShutdownSignal(() => service.close(), { log: (message) => logger.log(message, 'Shutdown') });
  logger.log(
    `intake started on ${config.natsUrl} (namespace ${config.namespace})${service.healthPort ? `, health on :${service.healthPort}` : ''}`,
    'Main',
  );
} catch (error) {
  logger.error(error instanceof Error ? error.message : String(error), 'Main');
  process.exit(1);
}
