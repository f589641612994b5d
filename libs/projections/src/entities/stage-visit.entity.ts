import { defineEntity, p } from '@mikro-orm/core';

/** A stretch of time a task spent in one stage; `seq` orders a task's visits. */
export const StageVisitEntity = defineEntity({
  name: 'StageVisitEntity',
  tableName: 'stage_visits',
  properties: {
    taskId: p.text().primary(),
    seq: p.integer().primary(),
    stage: p.text(),
    enteredAt: p.datetime(),
    leftAt: p.datetime().nullable(),
  },
});
