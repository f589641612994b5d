/**
 * What every migration together makes of a generation's schema, as
 * statements that make it at once. A new generation is made from these in
 * one round trip; running the migrations one after the other took several
 * times as long, and a rebuild waits for it. The migrations stay the way an
 * existing generation is brought up to date.
 *
 * A test holds these to what the migrations make. A new migration must be
 * mirrored here and its name added to `migrations`; until it is, new
 * generations are made from these and then migrated the slow way.
 */
export const CURRENT_SCHEMA = {
  /** The migrations these statements stand for, in order. */
  migrations: [
    'Migration20261121000000_initial',
    'Migration20261121010000_uncompressed_folded',
    'Migration20261121020000_json_documents',
    'Migration20261121030000_task_state_from_the_log',
    'Migration20261121040000_timeline_keyed_by_task',
    'Migration20261121050000_stage_history_on_the_task',
  ],

  /** The tables with their primary keys, as the migrations leave them, and the migrator's own table. */
  tables(schema: string): string[] {
    const s = `"${schema}"`;
    return [
      `create table ${s}."cost_daily" ("day" text not null, "repo_id" text not null, "agent" text not null, "model" text not null, "cost_usd" numeric not null, "input_tokens" bigint not null, "cached_input_tokens" bigint not null, "output_tokens" bigint not null, "runs" int not null, primary key ("day", "repo_id", "agent", "model"))`,
      `create table ${s}."projection_checkpoint" ("id" text not null, "position" bigint not null, "updated_at" timestamptz not null, primary key ("id"))`,
      `create table ${s}."pull_requests" ("task_id" text not null, "number" int not null, "url" text not null, "head_sha" text not null, "base_branch" text not null, "status" text not null, "checks_status" text not null, "checks" json not null, "reviews" json not null, "conflict_files" json not null, "merge_sha" text null, "merge_error" text null, "opened_at" timestamptz not null, "merged_at" timestamptz null, primary key ("task_id"))`,
      `create table ${s}."repos" ("id" text not null, "name" text not null, "url" text not null, "forge" text not null, "default_branch" text not null, "ci_command" text not null, "setup_commands" json not null, "auto_merge" boolean not null, "approval_required" boolean not null, "cautious" boolean not null, "review_agent_enabled" boolean not null, "max_concurrency" int not null, "default_agent" text not null, "default_model" text not null, "default_template" text not null, "settings" json not null, "created_at" timestamptz not null, "updated_at" timestamptz not null, primary key ("id"))`,
      `create table ${s}."runs" ("id" text not null, "task_id" text not null, "attempt" int not null, "kind" text not null, "reason" text not null, "status" text not null, "outcome" text null, "prompt" text not null, "summary" text not null, "error_message" text null, "agent" text not null, "model" text not null, "input_tokens" bigint not null, "cached_input_tokens" bigint not null, "output_tokens" bigint not null, "cost_usd" double precision not null, "head_sha" text not null, "workspace_id" text not null, "scheduled_at" timestamptz null, "started_at" timestamptz null, "finished_at" timestamptz null, "log_lines" int not null, primary key ("id"))`,
      `create table ${s}."secrets" ("scope" text not null, "name" text not null, "updated_at" timestamptz not null, primary key ("scope", "name"))`,
      `create table ${s}."tasks" ("id" text not null, "kind" text not null, "title" text not null, "prompt" text not null, "template_id" text not null, "params" json not null, "repo_id" text null, "base_branch" text not null, "agent" text not null, "model" text not null, "priority" int not null, "budget_usd" double precision not null, "state" text not null, "stage" text not null, "attention_reason" text null, "failure_reason" text null, "source_kind" text not null, "source_external_id" text not null, "source_url" text not null, "depends_on" json not null, "parent_task_id" text null, "cost_usd" double precision not null, "input_tokens" bigint not null, "cached_input_tokens" bigint not null, "output_tokens" bigint not null, "run_count" int not null, "created_at" timestamptz not null, "updated_at" timestamptz not null, "completed_at" timestamptz null, "version" int not null, "position" bigint not null, "stage_history" json not null, primary key ("id"))`,
      `create table ${s}."task_timeline" ("position" bigint not null, "aggregate_type" text not null, "aggregate_id" text not null, "event_id" text not null, "type" text not null, "version" int not null, "occurred_at" timestamptz null, "run_id" text null, "summary" text not null, "data" json not null, primary key ("aggregate_id", "position"))`,
      `create table ${s}."workspaces" ("run_id" text not null, "id" text not null, "task_id" text not null, "repo_id" text null, "path" text not null, "branch" text not null, "status" text not null, "error" text null, "created_at" timestamptz not null, "updated_at" timestamptz not null, primary key ("run_id"))`,
      `create table ${s}."mikro_orm_migrations" ("id" serial primary key, "name" varchar(255) not null, "executed_at" timestamptz(6) not null default current_timestamp(6))`,
    ];
  },

  /** The indexes that are neither primary keys nor unique: a rebuild makes them once its tables are full. */
  secondaryIndexes(schema: string): string[] {
    const s = `"${schema}"`;
    return [
      `create index "runs_task_id_attempt_idx" on ${s}."runs" ("task_id", "attempt")`,
      `create index "tasks_created_at_id_idx" on ${s}."tasks" ("created_at", "id")`,
      `create index "tasks_state_idx" on ${s}."tasks" ("state")`,
      `create index "tasks_repo_id_idx" on ${s}."tasks" ("repo_id")`,
      `create index "workspaces_task_id_idx" on ${s}."workspaces" ("task_id", "updated_at")`,
      `create index "workspaces_status_idx" on ${s}."workspaces" ("status")`,
    ];
  },
};
