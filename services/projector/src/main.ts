import { JsonLogger, onShutdownSignal } from '@cohort/platform';
import { readProjectorConfig } from './config.js';
import { startProjector } from './start-projector.js';

const logger = new JsonLogger('projector');
try {
  const config = readProjectorConfig();
  const starting = startProjector(config, { logger });
  // Registered before start-up completes: a signal while starting still shuts down cleanly.
  onShutdownSignal(async () => (await starting).close(), { log: (message) => logger.log(message, 'Shutdown') });
  const service = await starting;
  logger.log(
    `projector started on ${config.natsUrl} (namespace ${config.namespace}, schema ${config.schema})${
      service.healthPort ? `, health on :${service.healthPort}` : ''
    }`,
    'Main',
  );
} catch (error) {
  logger.error(error instanceof Error ? error.message : String(error), 'Main');
  process.exit(1);
}
