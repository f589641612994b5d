import {
  ApproveMergeSchema,
  CancelTaskSchema,
  CreateTaskSchema,
  DeleteSecretSchema,
  ForgeKind,
  RegisterRepoSchema,
  ResumeTaskSchema,
  RetryTaskSchema,
  ReviewTrigger,
  ReviewVerdict,
  SetSecretSchema,
  SubmitReviewSchema,
  TaskKind,
  TaskSourceKind,
  UpdateRepoSchema,
  type create,
  type MessageInitShape,
} from '@cohort/contracts';
import { badUserInput } from '../errors/gateway-error.js';

type MessageSchema = Parameters<typeof create>[0];

/** One command to send for a mutation, and how its error fields read in the mutation's terms. */
export interface CommandCall<S extends MessageSchema = MessageSchema> {
  readonly service: 'intake' | 'pr-watcher' | 'connections';
  readonly command: string;
  readonly schema: S;
  readonly message: MessageInitShape<S>;
  /** Translates a field path of the command (e.g. `settings.defaultBranch`) to the mutation's (e.g. `input.defaultBranch`). */
  readonly fieldOf: (commandField: string) => string;
}

function call<S extends MessageSchema>(
  service: CommandCall['service'],
  command: string,
  schema: S,
  message: MessageInitShape<S>,
  fieldOf: (commandField: string) => string,
): CommandCall {
  return { service, command, schema, message, fieldOf } as unknown as CommandCall;
}

/** `budget_usd` and `budgetUsd` name the same field; the mutation's arguments are camelCase. */
export function camelPath(path: string): string {
  return path.replace(/_([a-z0-9])/g, (_, c: string) => c.toUpperCase());
}

const prefixed = (prefix: string) => (field: string) => (field ? `${prefix}${camelPath(field)}` : prefix.replace(/\.$/, ''));

export interface CreateTaskInput {
  kind: 'repo' | 'standalone';
  title: string;
  prompt?: string | null;
  templateId?: string | null;
  params?: { name: string; value: string }[] | null;
  repoId?: string | null;
  baseBranch?: string | null;
  agent?: string | null;
  model?: string | null;
  priority?: number | null;
  budgetUsd?: number | null;
  dependsOn?: string[] | null;
  taskId?: string | null;
}

export function createTaskCall(input: CreateTaskInput): CommandCall {
  const params: Record<string, string> = {};
  for (const [i, param] of (input.params ?? []).entries()) {
    if (Object.hasOwn(params, param.name)) {
      throw badUserInput(`param "${param.name}" is given twice; give each param once`, `input.params[${i}].name`);
    }
    params[param.name] = param.value;
  }
  if (input.budgetUsd !== null && input.budgetUsd !== undefined && !Number.isFinite(input.budgetUsd)) {
    throw badUserInput('budgetUsd must be a finite number of USD', 'input.budgetUsd');
  }
  return call(
    'intake',
    'CreateTask',
    CreateTaskSchema,
    {
      kind: input.kind === 'repo' ? TaskKind.REPO : TaskKind.STANDALONE,
      title: input.title,
      prompt: input.prompt ?? '',
      templateId: input.templateId ?? '',
      params,
      repoId: input.repoId ?? '',
      baseBranch: input.baseBranch ?? '',
      agent: input.agent ?? '',
      model: input.model ?? '',
      priority: input.priority ?? 0,
      budgetUsd: input.budgetUsd ?? 0,
      source: { kind: TaskSourceKind.MANUAL },
      dependsOn: input.dependsOn ?? [],
      taskId: input.taskId ?? '',
    },
    prefixed('input.'),
  );
}

const taskIdField = (field: string) => (field === 'taskId' || field === 'task_id' || field === '' ? 'id' : camelPath(field));

export function cancelTaskCall(id: string, reason: string | null | undefined): CommandCall {
  return call('intake', 'CancelTask', CancelTaskSchema, { taskId: id, reason: reason ?? '' }, taskIdField);
}

export function retryTaskCall(id: string): CommandCall {
  return call('intake', 'RetryTask', RetryTaskSchema, { taskId: id }, taskIdField);
}

export function resumeTaskCall(id: string, message: string): CommandCall {
  return call('intake', 'ResumeTask', ResumeTaskSchema, { taskId: id, message }, taskIdField);
}

export function approveMergeCall(id: string): CommandCall {
  return call('intake', 'ApproveMerge', ApproveMergeSchema, { taskId: id }, taskIdField);
}

export interface RepoInput {
  name: string;
  url: string;
  forge: 'local' | 'github';
  defaultBranch: string;
  ciCommand?: string | null;
  setupCommands?: string[] | null;
  autoMerge: boolean;
  approvalRequired: boolean;
  cautious: boolean;
  reviewAgentEnabled: boolean;
  maxConcurrency: number;
  defaultAgent?: string | null;
  defaultModel?: string | null;
  defaultTemplate?: string | null;
}

function repoSettings(input: RepoInput) {
  if (!Number.isInteger(input.maxConcurrency) || input.maxConcurrency < 0) {
    throw badUserInput(
      `maxConcurrency must be 0 (no limit) or a positive whole number, got ${input.maxConcurrency}`,
      'input.maxConcurrency',
    );
  }
  return {
    name: input.name,
    url: input.url,
    forge: input.forge === 'github' ? ForgeKind.GITHUB : ForgeKind.LOCAL,
    defaultBranch: input.defaultBranch,
    ciCommand: input.ciCommand ?? '',
    setupCommands: input.setupCommands ?? [],
    policy: {
      autoMerge: input.autoMerge,
      approvalRequired: input.approvalRequired,
      cautious: input.cautious,
      reviewAgent: { enabled: input.reviewAgentEnabled, trigger: ReviewTrigger.ON_CHECKS_PASSED },
    },
    maxConcurrency: input.maxConcurrency,
    defaultAgent: input.defaultAgent ?? '',
    defaultModel: input.defaultModel ?? '',
    defaultTemplate: input.defaultTemplate ?? '',
  };
}

/** `settings.policy.reviewAgent.enabled` → `input.reviewAgentEnabled`, `settings.name` → `input.name`. */
export function repoSettingsField(field: string): string {
  const path = camelPath(field).replace(/^settings\.?/, '');
  if (path === '') return 'input';
  if (path.startsWith('policy.reviewAgent')) return 'input.reviewAgentEnabled';
  return `input.${path.replace(/^policy\./, '')}`;
}

export function registerRepoCall(input: RepoInput): CommandCall {
  return call('intake', 'RegisterRepo', RegisterRepoSchema, { settings: repoSettings(input) }, (field) =>
    // The repository's id is derived from its name.
    field === 'repoId' || field === 'repo_id' ? 'input.name' : repoSettingsField(field),
  );
}

export function updateRepoCall(id: string, input: RepoInput): CommandCall {
  return call('intake', 'UpdateRepo', UpdateRepoSchema, { repoId: id, settings: repoSettings(input) }, (field) =>
    field === 'repoId' || field === 'repo_id' ? 'id' : repoSettingsField(field),
  );
}

export interface SubmitReviewInput {
  taskId: string;
  verdict: 'approved' | 'changes_requested' | 'commented';
  body?: string | null;
  comments?: { path: string; line: number; body: string }[] | null;
}

const VERDICTS = {
  approved: ReviewVerdict.APPROVED,
  changes_requested: ReviewVerdict.CHANGES_REQUESTED,
  commented: ReviewVerdict.COMMENTED,
} as const;

export function submitReviewCall(input: SubmitReviewInput): CommandCall {
  const comments = input.comments ?? [];
  for (const [i, comment] of comments.entries()) {
    if (comment.line < 1) throw badUserInput(`comments[${i}].line is ${comment.line}: lines start at 1`, `input.comments[${i}].line`);
  }
  return call(
    'pr-watcher',
    'SubmitReview',
    SubmitReviewSchema,
    { taskId: input.taskId, verdict: VERDICTS[input.verdict], body: input.body ?? '', comments },
    prefixed('input.'),
  );
}

const topLevel = (fallback: string) => (field: string) => (field ? camelPath(field) : fallback);

export function setSecretCall(name: string, value: string, scope: string | null | undefined): CommandCall {
  return call('connections', 'SetSecret', SetSecretSchema, { name, value, scope: scope ?? '' }, topLevel('name'));
}

export function deleteSecretCall(name: string, scope: string | null | undefined): CommandCall {
  return call('connections', 'DeleteSecret', DeleteSecretSchema, { name, scope: scope ?? '' }, topLevel('name'));
}
