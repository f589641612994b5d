import { defineEntity, p } from '@mikro-orm/core';

/** The last stream position applied to this generation, written in the same transaction as the rows. */
export const ProjectionCheckpointEntity = defineEntity({
  name: 'ProjectionCheckpointEntity',
  tableName: 'projection_checkpoint',
  properties: {
    id: p.text().primary(),
    position: p.bigint('number'),
    updatedAt: p.datetime(),
  },
});
