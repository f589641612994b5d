import { randomUUID } from 'node:crypto';
import { create, TaskPriorityChangedSchema, type NewEvent } from '@cohort/contracts';
import type { AggregateRef } from '../event-store.js';

/** A small, valid task event; `priority` makes each one recognisable. */
export function priorityChanged(priority: number, id: string = randomUUID()): NewEvent {
  return { id, type: 'TaskPriorityChanged', data: create(TaskPriorityChangedSchema, { priority, by: 'contract-test' }) };
}

/** A task aggregate no other test touches. */
export function freshTask(label = 'task'): AggregateRef {
  return { type: 'task', id: `${label}-${randomUUID()}` };
}
