import { defineEntity, p } from '@mikro-orm/core';

/** One row per run of a task. */
export const RunEntity = defineEntity({
  name: 'RunEntity',
  tableName: 'runs',
  indexes: [{ name: 'runs_task_id_attempt_idx', properties: ['taskId', 'attempt'] }],
  properties: {
    id: p.text().primary(),
    taskId: p.text(),
    attempt: p.integer(),
    kind: p.text(),
    reason: p.text(),
    status: p.text(),
    outcome: p.text().nullable(),
    prompt: p.text(),
    summary: p.text(),
    errorMessage: p.text().nullable(),
    agent: p.text(),
    model: p.text(),
    inputTokens: p.bigint('number'),
    cachedInputTokens: p.bigint('number'),
    outputTokens: p.bigint('number'),
    costUsd: p.double(),
    headSha: p.text(),
    workspaceId: p.text(),
    scheduledAt: p.datetime().nullable(),
    startedAt: p.datetime().nullable(),
    finishedAt: p.datetime().nullable(),
    logLines: p.integer(),
  },
});
