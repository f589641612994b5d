import type { GatewayContext } from '../context.js';
import { unavailable } from '../errors/gateway-error.js';
import { intInRange } from './arguments.js';
import { pipelineOf } from './pipeline.js';
import { pullRequestNode, repoNode, runNode, timelineNode, workspaceNode, type TaskNode } from './row-mapping.js';

/** The fields of Task read on demand, so a task list that does not ask for them costs no query. */
export const taskResolvers = {
  async repo(task: TaskNode, _: unknown, { services }: GatewayContext) {
    if (!task.repoId) return null;
    const row = await services.readModel.repo(task.repoId);
    return row ? repoNode(row) : null;
  },

  async runs(task: TaskNode, _: unknown, { services }: GatewayContext) {
    return (await services.readModel.runs(task.id)).map(runNode);
  },

  async workspace(task: TaskNode, _: unknown, { services }: GatewayContext) {
    const row = await services.readModel.workspace(task.id);
    return row ? workspaceNode(row) : null;
  },

  async pullRequest(task: TaskNode, _: unknown, { services }: GatewayContext) {
    const row = await services.readModel.pullRequest(task.id);
    return row ? pullRequestNode(row) : null;
  },

  async timeline(task: TaskNode, args: { first: number; after?: string | null }, { services }: GatewayContext) {
    const first = intInRange(args.first, 1, 500, 'first');
    const page = await services.readModel.timeline(task.id, { first, ...(args.after ? { after: args.after } : {}) });
    return { nodes: page.rows.map(timelineNode), pageInfo: { endCursor: page.endCursor ?? null, hasNextPage: page.hasNextPage } };
  },

  async pipeline(task: TaskNode, _: unknown, { services }: GatewayContext) {
    return pipelineOf(task.stage, await services.readModel.stageHistory(task.id));
  },

  async logs(task: TaskNode, args: { runId?: string | null; fromSeq: number; limit: number }, { services }: GatewayContext) {
    const fromSeq = intInRange(args.fromSeq, 0, 2 ** 31 - 1, 'fromSeq');
    const limit = intInRange(args.limit, 1, 2000, 'limit');
    if (!services.logPage) throw unavailable('run logs cannot be paged by this gateway yet; use the taskLogs subscription');
    return services.logPage({ taskId: task.id, runId: args.runId ?? undefined, fromSeq, limit });
  },
};
