import { Migration } from '@mikro-orm/migrations';

/**
 * Keeps a task's stage history on its own row, as one document, instead of a
 * row per stage visit. It is only ever read whole, a task at a time (the
 * pipeline view); as rows it was the projection's second largest table (about
 * one row for every two events) and a sixth of Postgres's work in a rebuild.
 */
export class Migration20261121050000_stage_history_on_the_task extends Migration {
  override name = 'Migration20261121050000_stage_history_on_the_task';

  override up(): void {
    this.addSql(`alter table "tasks" add column "stage_history" json not null default '[]';`);
    this.addSql(
      `update "tasks" t set "stage_history" = v.history from (
         select "task_id", json_agg(json_build_object('stage', "stage", 'enteredAt', "entered_at", 'leftAt', "left_at") order by "seq") as history
         from "stage_visits" group by "task_id") v
       where v."task_id" = t."id";`,
    );
    this.addSql(`alter table "tasks" alter column "stage_history" drop default;`);
    this.addSql(`drop table "stage_visits";`);
  }
}
