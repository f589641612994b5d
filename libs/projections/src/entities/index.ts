import { CostDailyEntity } from './cost-daily.entity.js';
import { ProjectionCheckpointEntity } from './projection-checkpoint.entity.js';
import { PullRequestEntity } from './pull-request.entity.js';
import { RepoEntity } from './repo.entity.js';
import { RunEntity } from './run.entity.js';
import { SecretEntity } from './secret.entity.js';
import { TaskEntity } from './task.entity.js';
import { TimelineEntryEntity } from './timeline-entry.entity.js';
import { WorkspaceEntity } from './workspace.entity.js';

export {
  CostDailyEntity,
  ProjectionCheckpointEntity,
  PullRequestEntity,
  RepoEntity,
  RunEntity,
  SecretEntity,
  TaskEntity,
  TimelineEntryEntity,
  WorkspaceEntity,
};

/** Every table of one generation; readers see each through a view of the same name. */
export const PROJECTION_ENTITIES = [
  TaskEntity,
  RunEntity,
  WorkspaceEntity,
  PullRequestEntity,
  RepoEntity,
  SecretEntity,
  TimelineEntryEntity,
  CostDailyEntity,
  ProjectionCheckpointEntity,
] as const;
