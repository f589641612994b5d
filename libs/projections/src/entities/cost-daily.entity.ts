import { defineEntity, p } from '@mikro-orm/core';

/** Spend per day, repository, agent and model; `repoId` is '' for standalone tasks. */
export const CostDailyEntity = defineEntity({
  name: 'CostDailyEntity',
  tableName: 'cost_daily',
  properties: {
    day: p.text().primary(),
    repoId: p.text().primary(),
    agent: p.text().primary(),
    model: p.text().primary(),
    /** Exact sums: the total must not depend on the order deltas were added in. */
    costUsd: p.decimal('number').columnType('numeric'),
    inputTokens: p.bigint('number'),
    cachedInputTokens: p.bigint('number'),
    outputTokens: p.bigint('number'),
    runs: p.integer(),
  },
});
