import { defineEntity, p } from '@mikro-orm/core';

/** A stored secret's name and scope; values never reach events, so never reach here. */
export const SecretEntity = defineEntity({
  name: 'SecretEntity',
  tableName: 'secrets',
  properties: {
    scope: p.text().primary(),
    name: p.text().primary(),
    updatedAt: p.datetime(),
  },
});
