import { Migration } from '@mikro-orm/migrations';

/**
 * Drops the folded task state kept on each task's row. The projector folds a
 * task it no longer holds in memory again from the task's own events in the
 * log; writing each task's whole state again with every batch that touched
 * it was the largest part of a rebuild's writes.
 */
export class Migration20261121030000_task_state_from_the_log extends Migration {
  override name = 'Migration20261121030000_task_state_from_the_log';

  override up(): void {
    this.addSql(`alter table "tasks" drop column "folded";`);
  }
}
