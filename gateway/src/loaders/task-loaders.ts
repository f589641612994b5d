import type { GatewayContext } from '../context.js';
import type { PullRequestRow, ReadModel, RepoRow, RunRow, StageVisitRow, WorkspaceRow } from '../read-model.js';
import { BatchLoader } from './batch-loader.js';

/** What Task's fields read, batched across the tasks of one request. */
export interface TaskLoaders {
  readonly repo: BatchLoader<string, RepoRow | undefined>;
  readonly runs: BatchLoader<string, readonly RunRow[]>;
  readonly pullRequest: BatchLoader<string, PullRequestRow | undefined>;
  readonly workspace: BatchLoader<string, WorkspaceRow | undefined>;
  readonly stageHistory: BatchLoader<string, readonly StageVisitRow[]>;
}

const perRequest = new WeakMap<GatewayContext, TaskLoaders>();

/** The loaders of this request (each request's context is its own object). */
export function taskLoaders(context: GatewayContext): TaskLoaders {
  let loaders = perRequest.get(context);
  if (!loaders) {
    loaders = createTaskLoaders(context.services.readModel);
    perRequest.set(context, loaders);
  }
  return loaders;
}

function createTaskLoaders(readModel: ReadModel): TaskLoaders {
  return {
    repo: new BatchLoader((ids) => readModel.reposByIds(ids), undefined),
    runs: new BatchLoader((ids) => readModel.runsOfTasks(ids), []),
    pullRequest: new BatchLoader((ids) => readModel.pullRequestsOfTasks(ids), undefined),
    workspace: new BatchLoader((ids) => readModel.workspacesOfTasks(ids), undefined),
    stageHistory: new BatchLoader((ids) => readModel.stageHistoriesOfTasks(ids), []),
  };
}
