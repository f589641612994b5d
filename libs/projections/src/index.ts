export * from './read/read-model.js';
export { PROJECTION_ENTITIES } from './entities/index.js';
export * from './entities/index.js';
export { PROJECTION_MIGRATIONS } from './migrations/index.js';
export { openProjectionOrm, type ProjectionOrmOptions } from './db/projection-orm.js';
export { generationSchema } from './db/generations.js';
export { GENERATION_TABLES } from './db/table-columns.js';
export {
  Projector,
  RebuildUnavailable,
  type ProjectorOptions,
  type ProjectorLogger,
  type ProjectorStatus,
  type ProjectedNotification,
  type RebuildStarted,
} from './runtime/projector.js';
export { PostgresReadModel, type PostgresReadModelOptions } from './read/postgres-read-model.js';
export { ReadModelUnavailable, ReadModelBehind, InvalidReadQuery } from './read/read-model-errors.js';
export { requestRebuild, PROJECTOR_SERVICE, REBUILD_COMMAND, type RebuildRequestResult } from './rebuild/request-rebuild.js';
export * from './logs/index.js';
export { timelineSummary, timelineEntryOf, runIdOfEvent } from './timeline-summary.js';
