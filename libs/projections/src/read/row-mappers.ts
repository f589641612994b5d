import type { PullRequestRow, RepoRow, RunRow, SecretRow, StageVisitRow, TaskRow, TimelineEntryRow, WorkspaceRow } from './read-model.js';

type DbRow = Record<string, unknown>;

const iso = (value: unknown): string => (value instanceof Date ? value.toISOString() : String(value));
const isoOrNull = (value: unknown): string | null => (value === null || value === undefined ? null : iso(value));
const num = (value: unknown): number => (typeof value === 'number' ? value : Number(value));
const str = (value: unknown): string => (value === null || value === undefined ? '' : String(value));
const strOrNull = (value: unknown): string | null => (value === null || value === undefined ? null : String(value));

export function toTaskRow(r: DbRow): TaskRow {
  return {
    id: str(r.id),
    kind: str(r.kind),
    title: str(r.title),
    prompt: str(r.prompt),
    templateId: str(r.template_id),
    params: (r.params ?? {}) as Record<string, string>,
    repoId: strOrNull(r.repo_id),
    baseBranch: str(r.base_branch),
    agent: str(r.agent),
    model: str(r.model),
    priority: num(r.priority),
    budgetUsd: num(r.budget_usd),
    state: str(r.state),
    stage: str(r.stage),
    attentionReason: strOrNull(r.attention_reason),
    failureReason: strOrNull(r.failure_reason),
    sourceKind: str(r.source_kind),
    sourceExternalId: str(r.source_external_id),
    sourceUrl: str(r.source_url),
    dependsOn: (r.depends_on ?? []) as string[],
    parentTaskId: strOrNull(r.parent_task_id),
    costUsd: num(r.cost_usd),
    inputTokens: num(r.input_tokens),
    outputTokens: num(r.output_tokens),
    runCount: num(r.run_count),
    createdAt: iso(r.created_at),
    updatedAt: iso(r.updated_at),
    completedAt: isoOrNull(r.completed_at),
    version: num(r.version),
    position: num(r.position),
  };
}

export function toRunRow(r: DbRow): RunRow {
  return {
    id: str(r.id),
    taskId: str(r.task_id),
    attempt: num(r.attempt),
    kind: str(r.kind),
    reason: str(r.reason),
    status: str(r.status),
    outcome: strOrNull(r.outcome),
    prompt: str(r.prompt),
    summary: str(r.summary),
    errorMessage: strOrNull(r.error_message),
    agent: str(r.agent),
    model: str(r.model),
    inputTokens: num(r.input_tokens),
    cachedInputTokens: num(r.cached_input_tokens),
    outputTokens: num(r.output_tokens),
    costUsd: num(r.cost_usd),
    headSha: str(r.head_sha),
    workspaceId: str(r.workspace_id),
    scheduledAt: isoOrNull(r.scheduled_at),
    startedAt: isoOrNull(r.started_at),
    finishedAt: isoOrNull(r.finished_at),
    logLines: num(r.log_lines),
  };
}

export function toWorkspaceRow(r: DbRow): WorkspaceRow {
  return {
    id: str(r.id),
    taskId: str(r.task_id),
    runId: str(r.run_id),
    repoId: strOrNull(r.repo_id),
    path: str(r.path),
    branch: str(r.branch),
    status: str(r.status),
    error: strOrNull(r.error),
    createdAt: iso(r.created_at),
    updatedAt: iso(r.updated_at),
  };
}

export function toPullRequestRow(r: DbRow): PullRequestRow {
  return {
    taskId: str(r.task_id),
    number: num(r.number),
    url: str(r.url),
    headSha: str(r.head_sha),
    baseBranch: str(r.base_branch),
    status: str(r.status),
    checksStatus: str(r.checks_status),
    checks: (r.checks ?? []) as PullRequestRow['checks'],
    reviews: (r.reviews ?? []) as PullRequestRow['reviews'],
    conflictFiles: (r.conflict_files ?? []) as string[],
    mergeSha: strOrNull(r.merge_sha),
    mergeError: strOrNull(r.merge_error),
    openedAt: iso(r.opened_at),
    mergedAt: isoOrNull(r.merged_at),
  };
}

export function toTimelineRow(r: DbRow): TimelineEntryRow {
  return {
    position: num(r.position),
    eventId: str(r.event_id),
    type: str(r.type),
    version: num(r.version),
    occurredAt: r.occurred_at === null ? '' : iso(r.occurred_at),
    runId: strOrNull(r.run_id),
    summary: str(r.summary),
    data: r.data,
  };
}

/** A task's `stage_history` document: its visits in order, times as ISO 8601 in UTC whatever spelling they were stored in. */
export function toStageHistory(document: unknown): StageVisitRow[] {
  if (!Array.isArray(document)) return [];
  return document.map((visit: Record<string, unknown>) => ({
    stage: str(visit.stage),
    enteredAt: utc(visit.enteredAt),
    leftAt: visit.leftAt === null || visit.leftAt === undefined ? null : utc(visit.leftAt),
  }));
}

function utc(value: unknown): string {
  const at = new Date(String(value));
  return Number.isNaN(at.getTime()) ? str(value) : at.toISOString();
}

export function toRepoRow(r: DbRow): RepoRow {
  return {
    id: str(r.id),
    name: str(r.name),
    url: str(r.url),
    forge: str(r.forge),
    defaultBranch: str(r.default_branch),
    ciCommand: str(r.ci_command),
    setupCommands: (r.setup_commands ?? []) as string[],
    autoMerge: r.auto_merge === true,
    approvalRequired: r.approval_required === true,
    cautious: r.cautious === true,
    reviewAgentEnabled: r.review_agent_enabled === true,
    maxConcurrency: num(r.max_concurrency),
    defaultAgent: str(r.default_agent),
    defaultModel: str(r.default_model),
    defaultTemplate: str(r.default_template),
    createdAt: iso(r.created_at),
    updatedAt: iso(r.updated_at),
  };
}

export function toSecretRow(r: DbRow): SecretRow {
  return { name: str(r.name), scope: str(r.scope), updatedAt: iso(r.updated_at) };
}
