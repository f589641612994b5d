import { defineEntity, p } from '@mikro-orm/core';
import type { CheckRow, ReviewRow } from '../read/read-model.js';

/** The pull request of a task (at most one); checks and reviews as JSONB, in the read model's shape. */
export const PullRequestEntity = defineEntity({
  name: 'PullRequestEntity',
  tableName: 'pull_requests',
  properties: {
    taskId: p.text().primary(),
    number: p.integer(),
    url: p.text(),
    headSha: p.text(),
    baseBranch: p.text(),
    status: p.text(),
    checksStatus: p.text(),
    checks: p.json<CheckRow[]>().columnType('json'),
    reviews: p.json<ReviewRow[]>().columnType('json'),
    conflictFiles: p.json<string[]>().columnType('json'),
    mergeSha: p.text().nullable(),
    mergeError: p.text().nullable(),
    openedAt: p.datetime(),
    mergedAt: p.datetime().nullable(),
  },
});
