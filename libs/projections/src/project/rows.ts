import {
  CheckStatus,
  ResumeReason,
  ReviewVerdict,
  RunKind,
  RunOutcome,
  TaskKind,
  TaskSourceKind,
  ForgeKind,
  type RepoSettings,
} from '@cohort/contracts';
import { stageOf, type RunState } from '@cohort/domain';
import type { CheckRow, ReviewRow } from '../read/read-model.js';
import { enumName } from './enum-name.js';
import type { ProjectedTask } from './projected-task.js';

/** Row objects keyed by column name, as the bulk upserts take them. */
export type Row = Record<string, unknown>;

/** A JSON column's value already serialised, written as is (saves parsing it only to serialise it again). */
export class JsonText {
  constructor(readonly text: string) {}
}

export function taskRow(task: ProjectedTask): Row {
  const { state } = task;
  const spec = state.spec;
  let input = 0;
  let cached = 0;
  let output = 0;
  for (const run of state.runs) {
    input += run.usage?.inputTokens ?? 0;
    cached += run.usage?.cachedInputTokens ?? 0;
    output += run.usage?.outputTokens ?? 0;
  }
  return {
    id: state.id,
    kind: enumName(TaskKind, state.kind),
    title: spec.title,
    prompt: spec.prompt,
    template_id: spec.templateId,
    params: spec.params,
    repo_id: spec.repoId || null,
    base_branch: spec.baseBranch,
    agent: spec.agent,
    model: spec.model,
    priority: state.priority,
    budget_usd: spec.budgetUsd,
    state: state.status,
    stage: stageOf(state),
    attention_reason: state.attentionReason ?? null,
    failure_reason: state.failureReason ?? null,
    source_kind: enumName(TaskSourceKind, spec.source?.kind),
    source_external_id: spec.source?.externalId ?? '',
    source_url: spec.source?.url ?? '',
    depends_on: spec.dependsOn,
    parent_task_id: spec.parentTaskId || null,
    cost_usd: state.totalCostUsd,
    input_tokens: input,
    cached_input_tokens: cached,
    output_tokens: output,
    run_count: state.runs.length,
    created_at: state.createdAt,
    updated_at: state.updatedAt,
    completed_at: state.completedAt ?? null,
    version: state.version,
    position: task.position,
    stage_history: task.stages,
  };
}

export function runRow(task: ProjectedTask, run: RunState): Row {
  const meta = task.runMeta[run.id];
  return {
    id: run.id,
    task_id: task.state.id,
    attempt: run.attempt,
    kind: enumName(RunKind, run.kind),
    reason: enumName(ResumeReason, run.reason),
    status: run.status,
    outcome: run.outcome === undefined ? null : enumName(RunOutcome, run.outcome),
    prompt: meta?.prompt ?? '',
    summary: run.summary,
    error_message: run.error?.message ?? null,
    agent: meta?.agent ?? task.state.spec.agent,
    model: run.usage?.model || meta?.model || task.state.spec.model,
    input_tokens: run.usage?.inputTokens ?? 0,
    cached_input_tokens: run.usage?.cachedInputTokens ?? 0,
    output_tokens: run.usage?.outputTokens ?? 0,
    cost_usd: run.usage?.costUsd ?? 0,
    head_sha: run.pushedSha || run.headSha,
    workspace_id: run.workspaceId,
    scheduled_at: run.scheduledAt ?? null,
    started_at: run.startedAt ?? null,
    finished_at: run.finishedAt ?? null,
    log_lines: 0,
  };
}

export function workspaceRow(task: ProjectedTask, runId: string): Row | undefined {
  const doc = task.workspaces[runId];
  if (doc === undefined) return undefined;
  return {
    run_id: runId,
    id: doc.id || runId,
    task_id: task.state.id,
    repo_id: task.state.spec.repoId || null,
    path: doc.path,
    branch: doc.branch,
    status: doc.status,
    error: doc.error,
    created_at: doc.createdAt,
    updated_at: doc.updatedAt,
  };
}

export function pullRequestRow(task: ProjectedTask): Row | undefined {
  const pr = task.state.pr;
  if (pr === undefined) return undefined;
  const current = pr.checksByHead[pr.headSha];
  const reportedAt = task.checksReportedAt[pr.headSha] ?? '';
  const checks: CheckRow[] = (current?.checks ?? []).map((c) => ({
    name: c.name,
    status: enumName(CheckStatus, c.status) || 'pending',
    outputTail: c.outputTail,
    headSha: pr.headSha,
    reportedAt,
  }));
  const reviews: ReviewRow[] = pr.reviews.map((r, i) => ({
    headSha: r.headSha,
    verdict: enumName(ReviewVerdict, r.verdict),
    reviewer: r.reviewer,
    body: r.body,
    byAgent: r.byAgent,
    comments: r.comments.map((c) => ({ path: c.path, line: c.line, body: c.body })),
    submittedAt: task.reviewSubmittedAt[i] ?? '',
  }));
  return {
    task_id: task.state.id,
    number: pr.number,
    url: pr.url,
    head_sha: pr.headSha,
    base_branch: task.prBaseBranch ?? task.state.spec.baseBranch,
    status: pr.merged ? 'merged' : pr.closed ? 'closed' : 'open',
    checks_status: current === undefined ? 'none' : enumName(CheckStatus, current.status) || 'pending',
    checks,
    reviews,
    conflict_files: pr.conflict?.files ?? [],
    merge_sha: pr.mergeSha || null,
    merge_error: pr.mergeError?.message ?? null,
    opened_at: task.prOpenedAt ?? task.state.updatedAt,
    merged_at: task.prMergedAt ?? null,
  };
}

export function repoRow(repoId: string, settings: RepoSettings | undefined, at: string): Row {
  const policy = settings?.policy;
  return {
    id: repoId,
    name: settings?.name ?? repoId,
    url: settings?.url ?? '',
    forge: enumName(ForgeKind, settings?.forge),
    default_branch: settings?.defaultBranch ?? '',
    ci_command: settings?.ciCommand ?? '',
    setup_commands: settings?.setupCommands ?? [],
    auto_merge: policy?.autoMerge ?? false,
    approval_required: policy?.approvalRequired ?? false,
    cautious: policy?.cautious ?? false,
    review_agent_enabled: policy?.reviewAgent?.enabled ?? false,
    max_concurrency: settings?.maxConcurrency ?? 0,
    default_agent: settings?.defaultAgent ?? '',
    default_model: settings?.defaultModel ?? '',
    default_template: settings?.defaultTemplate ?? '',
    settings: settings ?? {},
    created_at: at,
    updated_at: at,
  };
}
