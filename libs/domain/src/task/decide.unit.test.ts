import { describe, expect, it } from 'vitest';
import { CreateTaskSchema, TaskKind, create, type MessageInitShape } from '@cohort/contracts';
import { DEPENDENCY_REPORT_TEMPLATE } from '../templates/default-prompts.js';
import { build, created, e, ReviewVerdict, scheduled, started, withOpenPr } from '../../test/builders.js';
import { decide, type DecideContext, type TaskCommand } from './decide.js';

const ctx: DecideContext = {
  now: '2026-01-01T00:00:00Z',
  newId: () => 'gen-1',
  actor: 'alice',
  templates: { [DEPENDENCY_REPORT_TEMPLATE.id]: DEPENDENCY_REPORT_TEMPLATE },
  repoPolicy: { autoMerge: true } as never,
};
const createCmd = (over: MessageInitShape<typeof CreateTaskSchema> = {}): TaskCommand => ({
  type: 'CreateTask',
  data: create(CreateTaskSchema, {
    kind: TaskKind.REPO,
    title: 'Fix bug',
    prompt: 'Fix it',
    repoId: 'acme/web',
    agent: 'scripted',
    ...over,
  }),
});
const cmd = <T extends TaskCommand['type']>(type: T, data: Record<string, unknown> = {}) =>
  ({ type, data: { taskId: 't1', ...data } }) as unknown as TaskCommand;

describe('decide CreateTask', () => {
  it('creates a repo task with a generated id, the repo policy and the default base branch', () => {
    const r = decide(createCmd(), undefined, ctx);
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.events[0]).toMatchObject({
      type: 'TaskCreated',
      data: { taskId: 'gen-1', baseBranch: 'main', createdBy: 'alice', policy: { autoMerge: true } },
    });
  });

  it('accepts a client-chosen id and is idempotent for a retried create', () => {
    const r = decide(createCmd({ taskId: 't1', title: 'Fix the login bug' }), build([created()]), ctx);
    expect(r).toEqual({ ok: true, events: [] });
  });

  it('rejects a create that reuses an id for a different task', () => {
    expect(decide(createCmd({ taskId: 't1', title: 'Other' }), build([created()]), ctx)).toMatchObject({
      ok: false,
      error: { code: 'conflict', field: 'taskId' },
    });
  });

  it.each([
    ['an id that is not subject-safe', { taskId: 'a.b' }, 'taskId'],
    ['an empty title', { title: '  ' }, 'title'],
    ['an unspecified kind', { kind: TaskKind.UNSPECIFIED }, 'kind'],
    ['a repo task without repository', { repoId: '' }, 'repoId'],
    ['a standalone task with a repository', { kind: TaskKind.STANDALONE }, 'repoId'],
    ['a negative budget', { budgetUsd: -1 }, 'budgetUsd'],
    ['a dependency on itself', { taskId: 'x', dependsOn: ['x'] }, 'dependsOn'],
    ['a task that is its own parent', { taskId: 'x', parentTaskId: 'x' }, 'parentTaskId'],
    ['an empty prompt without template', { prompt: ' ' }, 'prompt'],
    ['an unknown template', { templateId: 'nope' }, 'templateId'],
    ['a prompt with a missing variable', { prompt: 'Fix {{ thing }}' }, 'prompt'],
    ['no agent and no default', { agent: '' }, 'agent'],
  ])('rejects %s', (_name, over, field) => {
    const r = decide(createCmd(over as never), undefined, ctx);
    expect(r).toMatchObject({ ok: false, error: { code: 'validation', field } });
  });

  it('rejects a create without id when no generator is given', () => {
    expect(decide(createCmd(), undefined, { now: '' })).toMatchObject({ ok: false, error: { field: 'taskId' } });
  });

  it('renders a template with its params and defaults into the prompt', () => {
    const r = decide(
      createCmd({ kind: TaskKind.STANDALONE, repoId: '', templateId: 'dependency-report', params: { project: 'acme/web' } }),
      undefined,
      ctx,
    );
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    const data = r.events[0]!.data as { prompt: string; baseBranch: string; policy?: unknown };
    expect(data.prompt).toContain('Write a dependency report for acme/web (npm).');
    expect(data.prompt).toContain('Ignore development dependencies.');
    expect(data.baseBranch).toBe('');
    expect(data.policy).toBeUndefined();
  });

  it('reports every param problem of a template at once', () => {
    const r = decide(createCmd({ templateId: 'dependency-report', params: { ecosystem: 'maven', maxItems: 'many' } }), undefined, ctx);
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.error.field).toBe('params.project');
    expect(r.error.message).toContain('"project" is required');
    expect(r.error.message).toContain('must be one of');
    expect(r.error.message).toContain('must be a number');
  });

  it('reports a template that does not render', () => {
    const broken = { ...DEPENDENCY_REPORT_TEMPLATE, id: 'broken', body: 'Hi {{ who }}' };
    const r = decide(createCmd({ templateId: 'broken', params: { project: 'p' } }), undefined, { ...ctx, templates: { broken } });
    expect(r).toMatchObject({ ok: false, error: { field: 'templateId', message: expect.stringContaining('who') } });
  });

  it('renders params into a plain prompt', () => {
    const r = decide(createCmd({ prompt: 'Fix {{ area }}', params: { area: 'login' } }), undefined, ctx);
    expect(r.ok && (r.events[0]!.data as { prompt: string }).prompt).toBe('Fix login');
  });

  it('uses the default agent and base branch from the context', () => {
    const r = decide(createCmd({ agent: '', dependsOn: ['a', 'a'] }), undefined, {
      ...ctx,
      defaultAgent: 'codex',
      defaultBaseBranch: 'trunk',
      maxRetries: 2,
      maxAutoResumes: 5,
    });
    expect(r.ok && r.events[0]!.data).toMatchObject({
      agent: 'codex',
      baseBranch: 'trunk',
      dependsOn: ['a'],
      maxRetries: 2,
      maxAutoResumes: 5,
    });
  });
});

describe('decide on an existing task', () => {
  it.each(['CancelTask', 'RetryTask', 'ResumeTask', 'ApproveMerge', 'ChangePriority', 'SubmitReview'] as const)(
    'answers not_found for %s on an unknown task',
    (type) => {
      expect(decide(cmd(type, { message: 'x' }), undefined, ctx)).toMatchObject({ ok: false, error: { code: 'not_found' } });
    },
  );

  it('cancels a running task, by the actor', () => {
    expect(decide(cmd('CancelTask', { reason: 'obsolete' }), build([created()]), ctx)).toMatchObject({
      ok: true,
      events: [{ type: 'TaskCancelled', data: { reason: 'obsolete', by: 'alice' } }],
    });
  });
  it('accepts cancelling a cancelled task without new events', () => {
    expect(decide(cmd('CancelTask'), build([created(), e('TaskCancelled', {})]), ctx)).toEqual({ ok: true, events: [] });
  });
  it('refuses to cancel a completed task', () => {
    expect(decide(cmd('CancelTask'), withOpenPr({}, [e('TaskCompleted', {})]), ctx)).toMatchObject({
      ok: false,
      error: { code: 'conflict' },
    });
  });

  it('retries a failed task', () => {
    expect(decide(cmd('RetryTask'), build([created(), e('TaskFailed', { reason: 'x' })]), ctx)).toMatchObject({
      ok: true,
      events: [{ type: 'TaskRetryRequested' }],
    });
  });
  it('accepts a repeated retry without new events', () => {
    expect(decide(cmd('RetryTask'), build([created(), e('TaskFailed', { reason: 'x' }), e('TaskRetryRequested', {})]), ctx)).toEqual({
      ok: true,
      events: [],
    });
  });
  it('refuses to retry a task that has not failed', () => {
    expect(decide(cmd('RetryTask'), build([created()]), ctx)).toMatchObject({
      ok: false,
      error: { code: 'conflict', message: expect.stringContaining('queued') },
    });
  });

  it('resumes a task with a trimmed message', () => {
    expect(decide(cmd('ResumeTask', { message: ' use v2 ' }), withOpenPr(), ctx)).toMatchObject({
      ok: true,
      events: [{ type: 'TaskResumeRequested', data: { message: 'use v2' } }],
    });
  });
  it('rejects an empty resume message', () => {
    expect(decide(cmd('ResumeTask', { message: '  ' }), withOpenPr(), ctx)).toMatchObject({
      ok: false,
      error: { code: 'validation', field: 'message' },
    });
  });
  it('refuses to resume a task that never ran', () => {
    expect(decide(cmd('ResumeTask', { message: 'x' }), build([created()]), ctx)).toMatchObject({ ok: false, error: { code: 'conflict' } });
  });

  it('approves the merge of an open PR once', () => {
    expect(decide(cmd('ApproveMerge'), withOpenPr(), ctx)).toMatchObject({
      ok: true,
      events: [{ type: 'MergeApproved', data: { by: 'alice' } }],
    });
    expect(decide(cmd('ApproveMerge'), withOpenPr({}, [e('MergeApproved', {})]), ctx)).toEqual({ ok: true, events: [] });
  });
  it('refuses to approve a merge without an open PR', () => {
    expect(decide(cmd('ApproveMerge'), build([created(), scheduled(1), started(1)]), ctx)).toMatchObject({
      ok: false,
      error: { code: 'conflict' },
    });
  });

  it('changes the priority, and accepts the same priority without events', () => {
    expect(decide(cmd('ChangePriority', { priority: 3 }), build([created()]), ctx)).toMatchObject({
      ok: true,
      events: [{ type: 'TaskPriorityChanged', data: { priority: 3 } }],
    });
    expect(decide(cmd('ChangePriority', { priority: 0 }), build([created()]), ctx)).toEqual({ ok: true, events: [] });
  });
  it('refuses to reprioritise a finished task', () => {
    expect(decide(cmd('ChangePriority', { priority: 3 }), build([created(), e('TaskCancelled', {})]), ctx)).toMatchObject({
      ok: false,
      error: { code: 'conflict' },
    });
  });

  it('records a human review on the current head of the PR', () => {
    const r = decide(cmd('SubmitReview', { verdict: ReviewVerdict.APPROVED, body: 'lgtm', comments: [] }), withOpenPr(), ctx);
    expect(r).toMatchObject({
      ok: true,
      events: [{ type: 'ReviewSubmitted', data: { number: 7, headSha: 'sha1', verdict: ReviewVerdict.APPROVED, reviewer: 'alice' } }],
    });
  });
  it('rejects a review without verdict or without PR', () => {
    expect(decide(cmd('SubmitReview', { verdict: 0, comments: [] }), withOpenPr(), ctx)).toMatchObject({
      ok: false,
      error: { field: 'verdict' },
    });
    expect(decide(cmd('SubmitReview', { verdict: 1, comments: [] }), build([created()]), ctx)).toMatchObject({
      ok: false,
      error: { code: 'conflict' },
    });
  });
});
