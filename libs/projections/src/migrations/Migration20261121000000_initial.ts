import { Migration } from '@mikro-orm/migrations';

/**
 * The first tables of a generation, as the entities describe them. Unqualified
 * names: the migrator runs it with the generation's schema as search path.
 */
export class Migration20261121000000_initial extends Migration {
  override name = 'Migration20261121000000_initial';

  override up(): void {
    this.addSql(
      `create table "cost_daily" ("day" text not null, "repo_id" text not null, "agent" text not null, "model" text not null, "cost_usd" numeric not null, "input_tokens" bigint not null, "cached_input_tokens" bigint not null, "output_tokens" bigint not null, "runs" int not null, primary key ("day", "repo_id", "agent", "model"));`,
    );
    this.addSql(
      `create table "projection_checkpoint" ("id" text not null, "position" bigint not null, "updated_at" timestamptz not null, primary key ("id"));`,
    );
    this.addSql(
      `create table "pull_requests" ("task_id" text not null, "number" int not null, "url" text not null, "head_sha" text not null, "base_branch" text not null, "status" text not null, "checks_status" text not null, "checks" jsonb not null, "reviews" jsonb not null, "conflict_files" jsonb not null, "merge_sha" text null, "merge_error" text null, "opened_at" timestamptz not null, "merged_at" timestamptz null, primary key ("task_id"));`,
    );
    this.addSql(
      `create table "repos" ("id" text not null, "name" text not null, "url" text not null, "forge" text not null, "default_branch" text not null, "ci_command" text not null, "setup_commands" jsonb not null, "auto_merge" boolean not null, "approval_required" boolean not null, "cautious" boolean not null, "review_agent_enabled" boolean not null, "max_concurrency" int not null, "default_agent" text not null, "default_model" text not null, "default_template" text not null, "settings" jsonb not null, "created_at" timestamptz not null, "updated_at" timestamptz not null, primary key ("id"));`,
    );
    this.addSql(
      `create table "runs" ("id" text not null, "task_id" text not null, "attempt" int not null, "kind" text not null, "reason" text not null, "status" text not null, "outcome" text null, "prompt" text not null, "summary" text not null, "error_message" text null, "agent" text not null, "model" text not null, "input_tokens" bigint not null, "cached_input_tokens" bigint not null, "output_tokens" bigint not null, "cost_usd" double precision not null, "head_sha" text not null, "workspace_id" text not null, "scheduled_at" timestamptz null, "started_at" timestamptz null, "finished_at" timestamptz null, "log_lines" int not null, primary key ("id"));`,
    );
    this.addSql(`create index "runs_task_id_attempt_idx" on "runs" ("task_id", "attempt");`);
    this.addSql(
      `create table "secrets" ("scope" text not null, "name" text not null, "updated_at" timestamptz not null, primary key ("scope", "name"));`,
    );
    this.addSql(
      `create table "stage_visits" ("task_id" text not null, "seq" int not null, "stage" text not null, "entered_at" timestamptz not null, "left_at" timestamptz null, primary key ("task_id", "seq"));`,
    );
    this.addSql(
      `create table "tasks" ("id" text not null, "kind" text not null, "title" text not null, "prompt" text not null, "template_id" text not null, "params" jsonb not null, "repo_id" text null, "base_branch" text not null, "agent" text not null, "model" text not null, "priority" int not null, "budget_usd" double precision not null, "state" text not null, "stage" text not null, "attention_reason" text null, "failure_reason" text null, "source_kind" text not null, "source_external_id" text not null, "source_url" text not null, "depends_on" jsonb not null, "parent_task_id" text null, "cost_usd" double precision not null, "input_tokens" bigint not null, "cached_input_tokens" bigint not null, "output_tokens" bigint not null, "run_count" int not null, "created_at" timestamptz not null, "updated_at" timestamptz not null, "completed_at" timestamptz null, "version" int not null, "position" bigint not null, "folded" jsonb not null, primary key ("id"));`,
    );
    this.addSql(`create index "tasks_created_at_id_idx" on "tasks" ("created_at", "id");`);
    this.addSql(`create index "tasks_state_idx" on "tasks" ("state");`);
    this.addSql(`create index "tasks_repo_id_idx" on "tasks" ("repo_id");`);
    this.addSql(
      `create table "task_timeline" ("position" bigint not null, "aggregate_type" text not null, "aggregate_id" text not null, "event_id" text not null, "type" text not null, "version" int not null, "occurred_at" timestamptz null, "run_id" text null, "summary" text not null, "data" jsonb not null, primary key ("position"));`,
    );
    this.addSql(`create index "task_timeline_aggregate_idx" on "task_timeline" ("aggregate_id", "position");`);
    this.addSql(
      `create table "workspaces" ("run_id" text not null, "id" text not null, "task_id" text not null, "repo_id" text null, "path" text not null, "branch" text not null, "status" text not null, "error" text null, "created_at" timestamptz not null, "updated_at" timestamptz not null, primary key ("run_id"));`,
    );
    this.addSql(`create index "workspaces_task_id_idx" on "workspaces" ("task_id", "updated_at");`);
    this.addSql(`create index "workspaces_status_idx" on "workspaces" ("status");`);
  }
}
