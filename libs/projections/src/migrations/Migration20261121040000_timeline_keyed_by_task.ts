import { Migration } from '@mikro-orm/migrations';

/**
 * Keys the timeline by task and position. Readers only ever ask for one
 * task's entries in order, which the separate (aggregate_id, position) index
 * served beside a key on the position alone; positions are unique in the log
 * itself. One index instead of two, and a rebuild no longer waits at its end
 * for the largest of the indexes it builds.
 */
export class Migration20261121040000_timeline_keyed_by_task extends Migration {
  override name = 'Migration20261121040000_timeline_keyed_by_task';

  override up(): void {
    this.addSql(`drop index if exists "task_timeline_aggregate_idx";`);
    this.addSql(`alter table "task_timeline" drop constraint "task_timeline_pkey";`);
    this.addSql(`alter table "task_timeline" add constraint "task_timeline_pkey" primary key ("aggregate_id", "position");`);
  }
}
