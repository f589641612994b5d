import { defineEntity, p } from '@mikro-orm/core';

/** One row per event of the log, including types this version does not know. */
export const TimelineEntryEntity = defineEntity({
  name: 'TimelineEntryEntity',
  tableName: 'task_timeline',
  indexes: [{ name: 'task_timeline_aggregate_idx', properties: ['aggregateId', 'position'] }],
  properties: {
    position: p.bigint('number').primary().autoincrement(false),
    aggregateType: p.text(),
    aggregateId: p.text(),
    eventId: p.text(),
    type: p.text(),
    version: p.integer(),
    occurredAt: p.datetime().nullable(),
    runId: p.text().nullable(),
    summary: p.text(),
    data: p.json<unknown>().columnType('json'),
  },
});
