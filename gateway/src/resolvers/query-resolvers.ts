import { DEFAULT_TEMPLATES } from '@cohort/domain';
import type { GatewayContext } from '../context.js';
import { badUserInput } from '../errors/gateway-error.js';
import type { CostGroup, TaskFilter } from '../read-model.js';
import { boundedString, intInRange } from './arguments.js';
import { awaitProjections } from './at-least.js';
import { apiTokenNode, costNode, repoNode, secretNode, taskNode, templateNode, workspaceNode } from './row-mapping.js';

type AtLeast = { atLeast?: bigint | null };

interface TaskFilterInput {
  states?: string[] | null;
  stages?: string[] | null;
  repoIds?: string[] | null;
  kinds?: string[] | null;
  text?: string | null;
}

function taskFilter(input: TaskFilterInput | null | undefined): TaskFilter {
  if (!input) return {};
  const filter: { -readonly [K in keyof TaskFilter]: TaskFilter[K] } = {};
  if (input.states) filter.states = input.states;
  if (input.stages) filter.stages = input.stages;
  if (input.repoIds) filter.repoIds = input.repoIds;
  if (input.kinds) filter.kinds = input.kinds;
  if (input.text) filter.text = boundedString(input.text, 200, 'filter.text');
  return filter;
}

export const queryResolvers = {
  async tasks(
    _: unknown,
    args: AtLeast & { filter?: TaskFilterInput | null; first: number; after?: string | null },
    { services }: GatewayContext,
  ) {
    const first = intInRange(args.first, 1, 200, 'first');
    const filter = taskFilter(args.filter);
    await awaitProjections(services, args.atLeast);
    const page = await services.readModel.tasks(filter, { first, ...(args.after ? { after: args.after } : {}) });
    return {
      nodes: page.rows.map(taskNode),
      totalCount: page.totalCount,
      pageInfo: { endCursor: page.endCursor ?? null, hasNextPage: page.hasNextPage },
    };
  },

  async task(_: unknown, args: AtLeast & { id: string }, { services }: GatewayContext) {
    await awaitProjections(services, args.atLeast);
    const row = await services.readModel.task(args.id);
    return row ? taskNode(row) : null;
  },

  async taskCounts(_: unknown, args: AtLeast, { services }: GatewayContext) {
    await awaitProjections(services, args.atLeast);
    const { byState } = await services.readModel.taskCounts();
    const states = ['waiting', 'queued', 'provisioning', 'running', 'pr_opened', 'needs_attention', 'failed', 'completed', 'cancelled'];
    return Object.fromEntries(states.map((state) => [state, byState[state] ?? 0]));
  },

  async repos(_: unknown, args: AtLeast, { services }: GatewayContext) {
    await awaitProjections(services, args.atLeast);
    return (await services.readModel.repos()).map(repoNode);
  },

  async repo(_: unknown, args: AtLeast & { id: string }, { services }: GatewayContext) {
    await awaitProjections(services, args.atLeast);
    const row = await services.readModel.repo(args.id);
    return row ? repoNode(row) : null;
  },

  async workspaces(_: unknown, args: AtLeast & { activeOnly: boolean }, { services }: GatewayContext) {
    await awaitProjections(services, args.atLeast);
    return (await services.readModel.workspaces({ activeOnly: args.activeOnly })).map(workspaceNode);
  },

  async costs(_: unknown, args: AtLeast & { groupBy: CostGroup[]; from: string; to: string }, { services }: GatewayContext) {
    if (args.from > args.to) throw badUserInput(`to (${args.to}) is before from (${args.from}); give a range with from <= to`, 'to');
    await awaitProjections(services, args.atLeast);
    const groupBy = [...new Set(args.groupBy)];
    return (await services.readModel.costs({ groupBy, from: args.from, to: args.to })).map(costNode);
  },

  templates() {
    return Object.values(DEFAULT_TEMPLATES).map(templateNode);
  },

  async apiTokens(_: unknown, _args: unknown, { services }: GatewayContext) {
    return (await services.tokens.list()).map(apiTokenNode);
  },

  async secrets(_: unknown, args: AtLeast, { services }: GatewayContext) {
    await awaitProjections(services, args.atLeast);
    return (await services.readModel.secrets()).map(secretNode);
  },

  async readSide(_: unknown, _args: unknown, { services }: GatewayContext) {
    const head = await services.events.position();
    try {
      const checkpoint = await services.readModel.checkpoint();
      return { available: true, checkpoint, head };
    } catch (error) {
      if (error instanceof Error && error.name === 'ReadModelUnavailable') return { available: false, checkpoint: null, head };
      throw error;
    }
  },
};
