import { defineEntity, p } from '@mikro-orm/core';

/** One row per event of the log, including types this version does not know; read a task at a time, in order. */
export const TimelineEntryEntity = defineEntity({
  name: 'TimelineEntryEntity',
  tableName: 'task_timeline',
  properties: {
    aggregateId: p.text().primary(),
    position: p.bigint('number').primary().autoincrement(false),
    aggregateType: p.text(),
    eventId: p.text(),
    type: p.text(),
    version: p.integer(),
    occurredAt: p.datetime().nullable(),
    runId: p.text().nullable(),
    summary: p.text(),
    data: p.json<unknown>().columnType('json'),
  },
});
