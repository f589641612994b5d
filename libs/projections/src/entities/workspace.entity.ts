import { defineEntity, p } from '@mikro-orm/core';

/** One row per run that got (or failed to get) a workspace; keyed by the run. */
export const WorkspaceEntity = defineEntity({
  name: 'WorkspaceEntity',
  tableName: 'workspaces',
  indexes: [
    { name: 'workspaces_task_id_idx', properties: ['taskId', 'updatedAt'] },
    { name: 'workspaces_status_idx', properties: ['status'] },
  ],
  properties: {
    runId: p.text().primary(),
    id: p.text(),
    taskId: p.text(),
    repoId: p.text().nullable(),
    path: p.text(),
    branch: p.text(),
    status: p.text(),
    error: p.text().nullable(),
    createdAt: p.datetime(),
    updatedAt: p.datetime(),
  },
});
