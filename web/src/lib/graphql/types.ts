/** TypeScript shapes of the parts of gateway/src/schema/schema.graphql the dashboard reads. */

export const TASK_STATES = [
  'waiting',
  'queued',
  'provisioning',
  'running',
  'pr_opened',
  'needs_attention',
  'failed',
  'completed',
  'cancelled',
] as const;
export type TaskState = (typeof TASK_STATES)[number];

export const STAGES = ['queued', 'setup', 'running', 'pr', 'checks', 'review', 'merge', 'done'] as const;
export type Stage = (typeof STAGES)[number];

export const TASK_KINDS = ['repo', 'standalone'] as const;
export type TaskKind = (typeof TASK_KINDS)[number];

export const SCOPES = ['read', 'write', 'admin'] as const;
export type Scope = (typeof SCOPES)[number];

export type RunKind = 'initial' | 'resume' | 'review';
export type ResumeReason = 'ci_failure' | 'review' | 'conflict' | 'user_message';
export type RunOutcome = 'succeeded' | 'failed' | 'cancelled' | 'timed_out';
export type RunStatus = 'scheduled' | 'provisioning' | 'running' | 'finished';
export type WorkspaceStatus = 'provisioning' | 'ready' | 'failed' | 'released';
export type PullRequestStatus = 'open' | 'merged' | 'closed';
export type ChecksStatus = 'none' | 'pending' | 'passing' | 'failing';
export type CheckStatus = 'pending' | 'passing' | 'failing';
export type ReviewVerdict = 'approved' | 'changes_requested' | 'commented';
export type LogStream = 'stdout' | 'stderr' | 'system';
export type ForgeKind = 'local' | 'github';
export type CostDimension = 'day' | 'repo' | 'agent' | 'model';
export type ParamType = 'string' | 'number' | 'boolean' | 'enum';
export type PipelineStatus = 'done' | 'current' | 'pending';

export interface TaskFilter {
  states?: TaskState[];
  stages?: Stage[];
  repoIds?: string[];
  kinds?: TaskKind[];
  text?: string;
}

export interface CommandResult {
  id: string;
  eventIds: string[];
  position: string;
}

export interface PageInfo {
  endCursor: string | null;
  hasNextPage: boolean;
}

export type TaskCounts = Record<TaskState, number>;

export interface RepoRef {
  id: string;
  name: string;
}

/** The fields a task list row shows. */
export interface TaskSummary {
  id: string;
  kind: TaskKind;
  title: string;
  state: TaskState;
  stage: Stage;
  repo: RepoRef | null;
  agent: string;
  model: string;
  costUsd: number;
  attentionReason: string | null;
  failureReason: string | null;
  createdAt: string;
  updatedAt: string;
  version: number;
}

export interface PipelineStage {
  stage: Stage;
  status: PipelineStatus;
  enteredAt: string | null;
  leftAt: string | null;
}

export interface Run {
  id: string;
  attempt: number;
  kind: RunKind;
  reason: ResumeReason | null;
  status: RunStatus;
  outcome: RunOutcome | null;
  prompt: string;
  summary: string;
  error: string | null;
  agent: string;
  model: string;
  inputTokens: number;
  cachedInputTokens: number;
  outputTokens: number;
  costUsd: number;
  headSha: string | null;
  scheduledAt: string | null;
  startedAt: string | null;
  finishedAt: string | null;
  logLines: number;
}

export interface Check {
  name: string;
  status: CheckStatus;
  outputTail: string;
  headSha: string;
  reportedAt: string;
}

export interface ReviewComment {
  path: string;
  line: number;
  body: string;
}

export interface Review {
  headSha: string;
  verdict: ReviewVerdict;
  reviewer: string;
  body: string;
  byAgent: boolean;
  comments: ReviewComment[];
  submittedAt: string;
}

export interface PullRequest {
  number: number;
  url: string;
  headSha: string;
  baseBranch: string;
  status: PullRequestStatus;
  checksStatus: ChecksStatus;
  checks: Check[];
  reviews: Review[];
  conflictFiles: string[];
  mergeSha: string | null;
  mergeError: string | null;
  openedAt: string;
  mergedAt: string | null;
}

export interface Workspace {
  id: string;
  taskId: string;
  runId: string;
  repoId: string | null;
  path: string;
  branch: string;
  status: WorkspaceStatus;
  error: string | null;
  createdAt: string;
  updatedAt: string;
}

export interface Param {
  name: string;
  value: string;
}

/** Everything the task page shows. */
export interface TaskDetail extends TaskSummary {
  prompt: string;
  templateId: string | null;
  params: Param[];
  repoId: string | null;
  baseBranch: string | null;
  priority: number;
  budgetUsd: number | null;
  source: string;
  sourceUrl: string | null;
  dependsOn: string[];
  inputTokens: number;
  outputTokens: number;
  completedAt: string | null;
  runs: Run[];
  workspace: Workspace | null;
  pullRequest: PullRequest | null;
  pipeline: PipelineStage[];
}

export interface LogLine {
  taskId: string;
  runId: string;
  seq: number;
  stream: LogStream;
  text: string;
  at: string;
}

export interface Repo {
  id: string;
  name: string;
  url: string;
  forge: ForgeKind;
  defaultBranch: string;
  ciCommand: string | null;
  setupCommands: string[];
  autoMerge: boolean;
  approvalRequired: boolean;
  cautious: boolean;
  reviewAgentEnabled: boolean;
  maxConcurrency: number;
  defaultAgent: string | null;
  defaultModel: string | null;
  defaultTemplate: string | null;
  createdAt: string;
  updatedAt: string;
}

export interface RepoInput {
  name: string;
  url: string;
  forge?: ForgeKind;
  defaultBranch?: string;
  ciCommand?: string | null;
  setupCommands?: string[];
  autoMerge?: boolean;
  approvalRequired?: boolean;
  cautious?: boolean;
  reviewAgentEnabled?: boolean;
  maxConcurrency?: number;
  defaultAgent?: string | null;
  defaultModel?: string | null;
  defaultTemplate?: string | null;
}

export interface CostEntry {
  day: string | null;
  repoId: string | null;
  agent: string | null;
  model: string | null;
  costUsd: number;
  inputTokens: number;
  cachedInputTokens: number;
  outputTokens: number;
  runs: number;
}

export interface TemplateParam {
  name: string;
  type: ParamType;
  required: boolean;
  default: string | null;
  values: string[] | null;
  description: string;
}

export interface Template {
  id: string;
  title: string;
  description: string;
  params: TemplateParam[];
}

export interface CreateTaskInput {
  kind: TaskKind;
  title: string;
  prompt?: string;
  templateId?: string;
  params?: Param[];
  repoId?: string;
  baseBranch?: string;
  agent?: string;
  model?: string;
  priority?: number;
  budgetUsd?: number;
}

export interface ApiToken {
  id: string;
  name: string;
  scopes: Scope[];
  createdAt: string;
  lastUsedAt: string | null;
}

export interface SecretInfo {
  name: string;
  scope: string | null;
  updatedAt: string | null;
}

export interface ReviewCommentInput {
  path: string;
  line: number;
  body: string;
}
