import { defineEntity, p } from '@mikro-orm/core';

/** A registered repository and its settings, as its last RepoRegistered / RepoUpdated carries them. */
export const RepoEntity = defineEntity({
  name: 'RepoEntity',
  tableName: 'repos',
  properties: {
    id: p.text().primary(),
    name: p.text(),
    url: p.text(),
    forge: p.text(),
    defaultBranch: p.text(),
    ciCommand: p.text(),
    setupCommands: p.json<string[]>().columnType('json'),
    autoMerge: p.boolean(),
    approvalRequired: p.boolean(),
    cautious: p.boolean(),
    reviewAgentEnabled: p.boolean(),
    maxConcurrency: p.integer(),
    defaultAgent: p.text(),
    defaultModel: p.text(),
    defaultTemplate: p.text(),
    /** The whole RepoSettings message, for fields the columns do not cover. */
    settings: p.json<unknown>().columnType('json'),
    createdAt: p.datetime(),
    updatedAt: p.datetime(),
  },
});
