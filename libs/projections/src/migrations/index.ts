import type { MigrationObject } from '@mikro-orm/core';
import { Migration20261121000000_initial } from './Migration20261121000000_initial.js';
import { Migration20261121010000_uncompressed_folded } from './Migration20261121010000_uncompressed_folded.js';
import { Migration20261121020000_json_documents } from './Migration20261121020000_json_documents.js';
import { Migration20261121030000_task_state_from_the_log } from './Migration20261121030000_task_state_from_the_log.js';
import { Migration20261121040000_timeline_keyed_by_task } from './Migration20261121040000_timeline_keyed_by_task.js';
import { Migration20261121050000_stage_history_on_the_task } from './Migration20261121050000_stage_history_on_the_task.js';

/** Every migration of a generation's tables, in order; new ones are appended. */
export const PROJECTION_MIGRATIONS: MigrationObject[] = [
  { name: Migration20261121000000_initial.name, class: Migration20261121000000_initial },
  { name: Migration20261121010000_uncompressed_folded.name, class: Migration20261121010000_uncompressed_folded },
  { name: Migration20261121020000_json_documents.name, class: Migration20261121020000_json_documents },
  { name: Migration20261121030000_task_state_from_the_log.name, class: Migration20261121030000_task_state_from_the_log },
  { name: Migration20261121040000_timeline_keyed_by_task.name, class: Migration20261121040000_timeline_keyed_by_task },
  { name: Migration20261121050000_stage_history_on_the_task.name, class: Migration20261121050000_stage_history_on_the_task },
];
