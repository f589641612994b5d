import { JsonLogger, onShutdownSignal } from '@cohort/platform';
import { readIntakeConfig } from './config.js';
import { startIntake } from './start-intake.js';

const logger = new JsonLogger('intake');
try {
  const config = readIntakeConfig();
  const starting = startIntake(config, { logger });
  // Registered before start-up completes: a signal while starting still shuts down cleanly.
  onShutdownSignal(async () => (await starting).close(), { log: (message) => logger.log(message, 'Shutdown') });
  const service = await starting;
  logger.log(
    `intake started on ${config.natsUrl} (namespace ${config.namespace})${service.healthPort ? `, health on :${service.healthPort}` : ''}`,
    'Main',
  );
} catch (error) {
  logger.error(error instanceof Error ? error.message : String(error), 'Main');
  process.exit(1);
}
