import type { TemplateDeclaration } from '@cohort/domain';
import type { ApiTokenRecord } from '../auth/api-token-store.js';
import type { CostRow, PullRequestRow, RepoRow, RunRow, SecretRow, TaskRow, TimelineEntryRow, WorkspaceRow } from '../read-model.js';

// The read model stores "" for absent strings and 0 for absent budgets, as the
// proto events do; the schema says null for absent, so the mapping converts.
const orNull = (value: string | null | undefined): string | null => (value === undefined || value === null || value === '' ? null : value);

export type TaskNode = ReturnType<typeof taskNode>;

export function taskNode(row: TaskRow) {
  return {
    id: row.id,
    kind: row.kind,
    title: row.title,
    prompt: row.prompt,
    templateId: orNull(row.templateId),
    params: Object.entries(row.params).map(([name, value]) => ({ name, value })),
    repoId: orNull(row.repoId),
    baseBranch: orNull(row.baseBranch),
    agent: row.agent,
    model: row.model,
    priority: row.priority,
    budgetUsd: row.budgetUsd > 0 ? row.budgetUsd : null,
    state: row.state,
    stage: row.stage,
    attentionReason: orNull(row.attentionReason),
    failureReason: orNull(row.failureReason),
    source: row.sourceKind || 'manual',
    sourceUrl: orNull(row.sourceUrl),
    dependsOn: row.dependsOn,
    costUsd: row.costUsd,
    inputTokens: row.inputTokens,
    outputTokens: row.outputTokens,
    createdAt: row.createdAt,
    updatedAt: row.updatedAt,
    completedAt: orNull(row.completedAt),
    version: row.version,
  };
}

export type RunNode = ReturnType<typeof runNode>;

export function runNode(row: RunRow) {
  return {
    id: row.id,
    taskId: row.taskId,
    attempt: row.attempt,
    kind: row.kind,
    reason: orNull(row.reason),
    status: row.status,
    outcome: orNull(row.outcome),
    prompt: row.prompt,
    summary: row.summary,
    error: orNull(row.errorMessage),
    agent: row.agent,
    model: row.model,
    inputTokens: row.inputTokens,
    cachedInputTokens: row.cachedInputTokens,
    outputTokens: row.outputTokens,
    costUsd: row.costUsd,
    headSha: orNull(row.headSha),
    scheduledAt: orNull(row.scheduledAt),
    startedAt: orNull(row.startedAt),
    finishedAt: orNull(row.finishedAt),
  };
}

export function workspaceNode(row: WorkspaceRow) {
  return { ...row, repoId: orNull(row.repoId), error: orNull(row.error) };
}

export function pullRequestNode(row: PullRequestRow) {
  return {
    number: row.number,
    url: row.url,
    headSha: row.headSha,
    baseBranch: row.baseBranch,
    status: row.status,
    checksStatus: row.checksStatus || 'none',
    checks: row.checks,
    reviews: row.reviews,
    conflictFiles: row.conflictFiles,
    mergeSha: orNull(row.mergeSha),
    mergeError: orNull(row.mergeError),
    openedAt: row.openedAt,
    mergedAt: orNull(row.mergedAt),
  };
}

export function repoNode(row: RepoRow) {
  return {
    ...row,
    ciCommand: orNull(row.ciCommand),
    defaultAgent: orNull(row.defaultAgent),
    defaultModel: orNull(row.defaultModel),
    defaultTemplate: orNull(row.defaultTemplate),
  };
}

export function timelineNode(row: TimelineEntryRow) {
  return { ...row, runId: orNull(row.runId) };
}

export function costNode(row: CostRow) {
  return {
    day: row.day ?? null,
    repoId: row.repoId ?? null,
    agent: row.agent ?? null,
    model: row.model ?? null,
    costUsd: row.costUsd,
    inputTokens: row.inputTokens,
    cachedInputTokens: row.cachedInputTokens,
    outputTokens: row.outputTokens,
    runs: row.runs,
  };
}

export function templateNode(declaration: TemplateDeclaration) {
  return {
    id: declaration.id,
    title: declaration.title,
    description: declaration.description,
    params: declaration.params.map((param) => ({
      name: param.name,
      type: param.type,
      required: param.required === true,
      default: param.default === undefined ? null : String(param.default),
      values: param.values ?? null,
      description: param.description,
    })),
  };
}

export function secretNode(row: SecretRow) {
  return { name: row.name, scope: orNull(row.scope), updatedAt: orNull(row.updatedAt) };
}

export function apiTokenNode(record: ApiTokenRecord) {
  return { id: record.id, name: record.name, scopes: record.scopes, createdAt: record.createdAt, lastUsedAt: record.lastUsedAt ?? null };
}
