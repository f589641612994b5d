import type { GatewayContext } from '../context.js';
import { unavailable } from '../errors/gateway-error.js';
import { taskLoaders } from '../loaders/task-loaders.js';
import { intInRange } from './arguments.js';
import { pipelineOf } from './pipeline.js';
import { pullRequestNode, repoNode, runNode, timelineNode, workspaceNode, type TaskNode } from './row-mapping.js';

/**
 * The fields of Task read on demand, so a task list that does not ask for them
 * costs no query; those of the tasks of one request are read together (see
 * taskLoaders).
 */
export const taskResolvers = {
  async repo(task: TaskNode, _: unknown, context: GatewayContext) {
    if (!task.repoId) return null;
    const row = await taskLoaders(context).repo.load(task.repoId);
    return row ? repoNode(row) : null;
  },

  async runs(task: TaskNode, _: unknown, context: GatewayContext) {
    return (await taskLoaders(context).runs.load(task.id)).map(runNode);
  },

  async workspace(task: TaskNode, _: unknown, context: GatewayContext) {
    const row = await taskLoaders(context).workspace.load(task.id);
    return row ? workspaceNode(row) : null;
  },

  async pullRequest(task: TaskNode, _: unknown, context: GatewayContext) {
    const row = await taskLoaders(context).pullRequest.load(task.id);
    return row ? pullRequestNode(row) : null;
  },

  async timeline(task: TaskNode, args: { first: number; after?: string | null }, { services }: GatewayContext) {
    const first = intInRange(args.first, 1, 500, 'first');
    const page = await services.readModel.timeline(task.id, { first, ...(args.after ? { after: args.after } : {}) });
    return { nodes: page.rows.map(timelineNode), pageInfo: { endCursor: page.endCursor ?? null, hasNextPage: page.hasNextPage } };
  },

  async pipeline(task: TaskNode, _: unknown, context: GatewayContext) {
    return pipelineOf(task.stage, await taskLoaders(context).stageHistory.load(task.id));
  },

  async logs(task: TaskNode, args: { runId?: string | null; fromSeq: number; limit: number }, { services }: GatewayContext) {
    const fromSeq = intInRange(args.fromSeq, 0, 2 ** 31 - 1, 'fromSeq');
    const limit = intInRange(args.limit, 1, 2000, 'limit');
    if (!services.logPage) throw unavailable('run logs cannot be paged by this gateway yet; use the taskLogs subscription');
    return services.logPage({ taskId: task.id, runId: args.runId ?? undefined, fromSeq, limit });
  },
};
