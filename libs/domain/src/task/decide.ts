import {
  MergeApprovedSchema,
  ReviewSubmittedSchema,
  ReviewVerdict,
  TaskCancelledSchema,
  TaskCreatedSchema,
  TaskKind,
  TaskPriorityChangedSchema,
  TaskResumeRequestedSchema,
  TaskRetryRequestedSchema,
  create,
  type ApproveMerge,
  type CancelTask,
  type ChangePriority,
  type CreateTask,
  type RepoPolicy,
  type ResumeTask,
  type RetryTask,
  type SubmitReview,
  type TaskEvent,
} from '@cohort/contracts';
import { renderDeclaration, type TemplateDeclaration } from '../templates/params.js';
import { renderTemplate } from '../templates/render.js';
import type { TaskState } from './task-state.js';
import { isFinal } from './transitions.js';

export type TaskCommand =
  | { readonly type: 'CreateTask'; readonly data: CreateTask }
  | { readonly type: 'CancelTask'; readonly data: CancelTask }
  | { readonly type: 'RetryTask'; readonly data: RetryTask }
  | { readonly type: 'ResumeTask'; readonly data: ResumeTask }
  | { readonly type: 'ApproveMerge'; readonly data: ApproveMerge }
  | { readonly type: 'ChangePriority'; readonly data: ChangePriority }
  | { readonly type: 'SubmitReview'; readonly data: SubmitReview };

export interface CommandError {
  readonly code: 'validation' | 'not_found' | 'conflict';
  readonly message: string;
  readonly field?: string;
}

export type DecideResult =
  { readonly ok: true; readonly events: readonly TaskEvent[] } | { readonly ok: false; readonly error: CommandError };

export interface DecideContext {
  /** RFC 3339; the time the command is decided at. */
  readonly now: string;
  /** A fresh task id when CreateTask carries none. */
  readonly newId?: () => string;
  /** Who sent the command. */
  readonly actor?: string;
  /** Templates by id, for CreateTask with a template. */
  readonly templates?: Readonly<Record<string, TemplateDeclaration>>;
  /** The repository's policy for a repo task, as registered. */
  readonly repoPolicy?: RepoPolicy;
  /** Agent used when the command names none. */
  readonly defaultAgent?: string;
  /** Base branch used when a repo task names none. @default "main" */
  readonly defaultBaseBranch?: string;
  readonly maxRetries?: number;
  readonly maxAutoResumes?: number;
}

/** Task ids end up in NATS subjects and branch names: keep them to one safe token. */
const TASK_ID = /^[A-Za-z0-9_-]{1,128}$/;

const ok = (events: readonly TaskEvent[]): DecideResult => ({ ok: true, events });
const err = (code: CommandError['code'], message: string, field?: string): DecideResult => ({
  ok: false,
  error: field === undefined ? { code, message } : { code, message, field },
});

/** Decides what a user command means for the task: the events to append, or why not. */
export function decide(command: TaskCommand, state: TaskState | undefined, ctx: DecideContext): DecideResult {
  if (command.type === 'CreateTask') return decideCreate(command.data, state, ctx);
  if (state === undefined) return err('not_found', `task "${command.data.taskId}" does not exist`, 'taskId');
  const by = ctx.actor ?? '';
  switch (command.type) {
    case 'CancelTask':
      if (state.status === 'cancelled') return ok([]);
      if (state.status === 'completed') return err('conflict', `task "${state.id}" is already completed and cannot be cancelled`);
      return ok([{ type: 'TaskCancelled', data: create(TaskCancelledSchema, { reason: command.data.reason, by }) }]);
    case 'RetryTask':
      if (state.pendingRetry) return ok([]);
      if (state.status !== 'failed' && state.status !== 'needs_attention') {
        return err('conflict', `task "${state.id}" is ${state.status}; only failed tasks and tasks that need attention can be retried`);
      }
      return ok([{ type: 'TaskRetryRequested', data: create(TaskRetryRequestedSchema, { by }) }]);
    case 'ResumeTask': {
      const message = command.data.message.trim();
      if (message === '') return err('validation', 'message is empty; write what the agent should do next', 'message');
      if (isFinal(state.status) || state.status === 'waiting' || state.status === 'queued') {
        return err('conflict', `task "${state.id}" is ${state.status}; a message can be sent once the task has run and until it ends`);
      }
      return ok([{ type: 'TaskResumeRequested', data: create(TaskResumeRequestedSchema, { message, by }) }]);
    }
    case 'ApproveMerge':
      if (state.pr === undefined || state.pr.merged || state.pr.closed || isFinal(state.status)) {
        return err('conflict', `task "${state.id}" has no open pull request to approve`);
      }
      if (state.mergeApproved) return ok([]);
      return ok([{ type: 'MergeApproved', data: create(MergeApprovedSchema, { by }) }]);
    case 'ChangePriority':
      if (isFinal(state.status)) return err('conflict', `task "${state.id}" is ${state.status}; its priority no longer matters`);
      if (state.priority === command.data.priority) return ok([]);
      return ok([{ type: 'TaskPriorityChanged', data: create(TaskPriorityChangedSchema, { priority: command.data.priority, by }) }]);
    case 'SubmitReview': {
      const pr = state.pr;
      if (pr === undefined || pr.merged || pr.closed) return err('conflict', `task "${state.id}" has no open pull request to review`);
      if (command.data.verdict === ReviewVerdict.UNSPECIFIED)
        return err('validation', 'verdict is required: APPROVED, CHANGES_REQUESTED or COMMENTED', 'verdict');
      return ok([
        {
          type: 'ReviewSubmitted',
          data: create(ReviewSubmittedSchema, {
            number: pr.number,
            headSha: pr.headSha,
            verdict: command.data.verdict,
            reviewer: by,
            body: command.data.body,
            comments: command.data.comments,
          }),
        },
      ]);
    }
  }
}

function decideCreate(cmd: CreateTask, state: TaskState | undefined, ctx: DecideContext): DecideResult {
  const taskId = cmd.taskId || ctx.newId?.() || '';
  if (taskId === '') return err('validation', 'taskId is empty and no id generator was given', 'taskId');
  if (!TASK_ID.test(taskId)) {
    return err('validation', `taskId "${taskId}" may only contain letters, digits, "-" and "_" (1 to 128 characters)`, 'taskId');
  }
  if (state !== undefined) {
    // A retried CreateTask with the same id and title is the same request: accept it once.
    if (state.spec.title === cmd.title.trim() && state.kind === cmd.kind) return ok([]);
    return err('conflict', `task "${taskId}" already exists with a different definition`, 'taskId');
  }
  const title = cmd.title.trim();
  if (title === '') return err('validation', 'title is empty; give the task a short title', 'title');
  if (cmd.kind !== TaskKind.REPO && cmd.kind !== TaskKind.STANDALONE) return err('validation', 'kind must be REPO or STANDALONE', 'kind');
  if (cmd.kind === TaskKind.REPO && cmd.repoId === '')
    return err('validation', 'a repo task needs repoId; register the repository first', 'repoId');
  if (cmd.kind === TaskKind.STANDALONE && cmd.repoId !== '') {
    return err('validation', `a standalone task has no repository, got repoId "${cmd.repoId}"; use kind REPO`, 'repoId');
  }
  const agent = cmd.agent || ctx.defaultAgent || '';
  if (agent === '') return err('validation', 'agent is empty and no default agent is configured', 'agent');
  if (cmd.budgetUsd < 0 || !Number.isFinite(cmd.budgetUsd))
    return err('validation', `budgetUsd must be 0 (no budget) or positive, got ${cmd.budgetUsd}`, 'budgetUsd');
  if (cmd.dependsOn.includes(taskId)) return err('validation', `task "${taskId}" cannot depend on itself`, 'dependsOn');
  if (cmd.parentTaskId === taskId) return err('validation', `task "${taskId}" cannot be its own parent`, 'parentTaskId');

  let prompt = cmd.prompt;
  if (cmd.templateId !== '') {
    const template = ctx.templates?.[cmd.templateId];
    if (template === undefined) {
      const known = Object.keys(ctx.templates ?? {}).join(', ') || 'none';
      return err('validation', `template "${cmd.templateId}" does not exist; known templates: ${known}`, 'templateId');
    }
    const rendered = renderDeclaration(template, cmd.params, { title });
    if ('problems' in rendered) {
      return err('validation', rendered.problems.map((p) => p.message).join('; '), rendered.problems[0]!.field);
    }
    if (!rendered.ok) return err('validation', `template "${cmd.templateId}": ${rendered.error.message}`, 'templateId');
    prompt = rendered.text;
  } else {
    if (prompt.trim() === '') return err('validation', 'prompt is empty; give a prompt or a templateId', 'prompt');
    // A plain prompt may use {{ params }} too; it must then render completely.
    if (prompt.includes('{{')) {
      const rendered = renderTemplate(prompt, { ...cmd.params, title });
      if (!rendered.ok) return err('validation', `prompt: ${rendered.error.message}`, 'prompt');
      prompt = rendered.text;
    }
  }

  const data = create(TaskCreatedSchema, {
    taskId,
    kind: cmd.kind,
    title,
    prompt,
    templateId: cmd.templateId,
    params: cmd.params,
    repoId: cmd.repoId,
    baseBranch: cmd.kind === TaskKind.REPO ? cmd.baseBranch || ctx.defaultBaseBranch || 'main' : '',
    agent,
    model: cmd.model,
    priority: cmd.priority,
    budgetUsd: cmd.budgetUsd,
    maxRetries: ctx.maxRetries ?? 0,
    maxAutoResumes: ctx.maxAutoResumes ?? 0,
    policy: cmd.kind === TaskKind.REPO ? ctx.repoPolicy : undefined,
    source: cmd.source,
    dependsOn: [...new Set(cmd.dependsOn)],
    createdBy: ctx.actor ?? '',
    parentTaskId: cmd.parentTaskId,
  });
  return ok([{ type: 'TaskCreated', data }]);
}
