import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CheckStatus, CommandErrorCode, ResumeReason, RunKind, SetSecretSchema } from '@cohort/contracts';
import { waitFor } from '@cohort/testing';
import { CommandClient } from '@cohort/messaging';
import { System } from './support/system.js';
import { count, greetingRepo, isSubsequence } from './support/scenario-repos.js';

const SECRET = 'tok-e2e-9f8e7d6c5b4a';

describe('the main loop on one machine (services as separate processes, real NATS and git)', () => {
  let system: System;
  beforeAll(async () => {
    system = await System.start('loop', { INTAKE_MAX_AUTO_RESUMES: '2' });
    const commands = new CommandClient(system.nc, system.topology, { timeoutMs: 5_000 });
    const secret = await waitFor(
      'connections to accept SetSecret',
      async () => {
        const result = await commands.send('connections', 'SetSecret', SetSecretSchema, { name: 'DEMO_TOKEN', value: SECRET });
        if (!result.ok && result.error.code === CommandErrorCode.UNAVAILABLE) return undefined;
        return result;
      },
      90_000,
      500,
    );
    expect(secret).toMatchObject({ ok: true });
  }, 120_000);
  afterAll(() => system?.stop());

  async function registerRepo(name: string, playbook: string, extra: string[] = []): Promise<string> {
    const origin = await system.createRepository(name, greetingRepo(playbook));
    const registered = await system.cliJson<{ ok: boolean; aggregateId: string }>([
      'repo',
      'add',
      origin,
      '--name',
      name,
      '--ci',
      'sh ci.sh',
      '--auto-merge',
      ...extra,
    ]);
    expect(registered.ok).toBe(true);
    return origin;
  }

  async function createTask(repo: string, title: string): Promise<string> {
    const created = await system.cliJson<{ ok: boolean; aggregateId: string }>([
      'task',
      'create',
      '--repo',
      repo,
      '--title',
      title,
      '--prompt',
      'Make the greeting name Cohort',
    ]);
    return created.aggregateId;
  }

  it('takes a task to a PR, passing CI, approval and exactly one squash-merged commit; the ticket is closed', async () => {
    const origin = await registerRepo(
      'happy',
      `initial:
  - write: { path: greeting.txt, content: "Hello, Cohort\\n" }
  - run: echo "using token $DEMO_TOKEN"
`,
    );
    const before = await system.commitsOnMain(origin);
    const taskId = await createTask('happy', 'Greet Cohort');
    await system.waitForEvents(taskId, 'passing checks', (types, events) =>
      events.some((e) => e.type === 'ChecksReported' && e.data.status === CheckStatus.PASSING),
    );
    const approved = await system.cli(['review', 'approve', taskId]);
    expect(approved.code).toBe(0);
    const events = await system.waitForEvents(taskId, 'completion and ticket closing', (types) => types.includes('TicketClosed'));
    const types = events.map((e) => e.type);
    expect(
      isSubsequence(types, [
        'TaskCreated',
        'RunScheduled',
        'WorkspaceReady',
        'RunStarted',
        'RunFinished',
        'PullRequestRequested',
        'PullRequestOpened',
        'ChecksReported',
        'ReviewSubmitted',
        'MergeRequested',
        'PullRequestMerged',
        'TaskCompleted',
        'TicketClosed',
      ]),
    ).toBe(true);
    expect(count(types, 'PullRequestMerged')).toBe(1);
    expect((await system.task(taskId))?.status).toBe('completed');
    const after = await system.commitsOnMain(origin);
    expect(after).toHaveLength(before.length + 1);
    expect(after[0]).toBe('Greet Cohort');
    const lines = await system.logLines(taskId);
    expect(lines.map((l) => l.seq)).toEqual(lines.map((_, i) => i + 1));
    expect(lines.some((l) => l.text.includes('using token [redacted]'))).toBe(true);
  });

  it('resumes the agent with the failing CI output, then merges once CI passes', async () => {
    const origin = await registerRepo(
      'cifail',
      `initial:
  - write: { path: greeting.txt, content: "Hello, there\\n" }
resume:ci_failure:
  - patch: { path: greeting.txt, find: "Hello, there", replace: "Hello, Cohort" }
`,
    );
    const taskId = await createTask('cifail', 'Fix the greeting');
    const events = await system.waitForEvents(
      taskId,
      'a resume for the CI failure and passing checks',
      (types, evs) =>
        evs.some((e) => e.type === 'RunScheduled' && e.data.kind === RunKind.RESUME && e.data.resumeReason === ResumeReason.CI_FAILURE) &&
        evs.some((e) => e.type === 'ChecksReported' && e.data.status === CheckStatus.PASSING),
    );
    const failing = events.find((e) => e.type === 'ChecksReported' && e.data.status === CheckStatus.FAILING);
    expect(failing).toBeDefined();
    const resumeRun = events.find((e) => e.type === 'RunScheduled' && e.data.kind === RunKind.RESUME)!;
    const resumeLines = (await system.logLines(taskId)).filter((l) => l.runId === (resumeRun.data as { runId: string }).runId);
    expect(resumeLines.some((l) => l.text.includes('[prompt]') && l.text.includes('greeting.txt says: Hello, there'))).toBe(true);
    expect((await system.cli(['review', 'approve', taskId])).code).toBe(0);
    await system.waitForEvents(taskId, 'completion', (types) => types.includes('TaskCompleted'));
    expect((await system.commitsOnMain(origin))[0]).toBe('Fix the greeting');
  });

  it('resumes the agent with the review comments when changes are requested, then merges on approval', async () => {
    await registerRepo(
      'review',
      `initial:
  - write: { path: greeting.txt, content: "Hello, Cohort\\n" }
resume:review:
  - append: { path: greeting.txt, content: "Welcome aboard.\\n" }
`,
    );
    const taskId = await createTask('review', 'Greet and welcome');
    const passing = (evs: readonly { type: string; data: unknown }[], n: number) =>
      evs.filter((e) => e.type === 'ChecksReported' && (e.data as { status: number }).status === CheckStatus.PASSING).length >= n;
    await system.waitForEvents(taskId, 'passing checks', (_types, evs) => passing(evs, 1));
    const requested = await system.cli([
      'review',
      'request-changes',
      taskId,
      '--body',
      'Please also welcome the reader',
      '--comment',
      'greeting.txt:1:add a welcome line',
    ]);
    expect(requested.code).toBe(0);
    const events = await system.waitForEvents(
      taskId,
      'a review resume and passing checks on the new head',
      (types, evs) =>
        evs.some((e) => e.type === 'RunScheduled' && (e.data as { resumeReason: number }).resumeReason === ResumeReason.REVIEW) &&
        passing(evs, 2),
    );
    const resumeRun = events.find(
      (e) => e.type === 'RunScheduled' && (e.data as { resumeReason: number }).resumeReason === ResumeReason.REVIEW,
    )!;
    const prompt = (await system.logLines(taskId)).filter(
      (l) => l.runId === (resumeRun.data as { runId: string }).runId && l.text.includes('[prompt]'),
    );
    expect(prompt.some((l) => l.text.includes('greeting.txt:1') && l.text.includes('add a welcome line'))).toBe(true);
    expect((await system.cli(['review', 'approve', taskId])).code).toBe(0);
    await system.waitForEvents(taskId, 'completion', (types) => types.includes('TaskCompleted'));
  });

  it('resumes the agent to rebase when the base moves under the PR and conflicts, then merges', async () => {
    const origin = await registerRepo(
      'conflict',
      `initial:
  - write: { path: greeting.txt, content: "Hello, Cohort\\n" }
  - patch: { path: notes.txt, find: "line one", replace: "line one, by the agent" }
resume:conflict:
  - run: git fetch -q origin && git rebase -X theirs origin/main
`,
    );
    const taskId = await createTask('conflict', 'Greet with notes');
    await system.waitForEvents(taskId, 'passing checks', (_t, evs) =>
      evs.some((e) => e.type === 'ChecksReported' && (e.data as { status: number }).status === CheckStatus.PASSING),
    );
    await system.pushToMain(origin, 'notes.txt', 'line one, by a colleague\nline two\n', 'Colleague edits the notes');
    await system.waitForEvents(taskId, 'a conflict resume and passing checks after it', (types, evs) => {
      const resumeAt = evs.findIndex(
        (e) => e.type === 'RunScheduled' && (e.data as { resumeReason: number }).resumeReason === ResumeReason.CONFLICT,
      );
      return (
        types.includes('ConflictDetected') &&
        resumeAt >= 0 &&
        evs.slice(resumeAt).some((e) => e.type === 'ChecksReported' && (e.data as { status: number }).status === CheckStatus.PASSING)
      );
    });
    expect((await system.cli(['review', 'approve', taskId])).code).toBe(0);
    await system.waitForEvents(taskId, 'completion', (types) => types.includes('TaskCompleted'));
    const main = await system.commitsOnMain(origin);
    expect(main.slice(0, 2)).toEqual(['Greet with notes', 'Colleague edits the notes']);
  });

  it('stops for a person with the reason once the automatic resume cap is reached', async () => {
    await registerRepo(
      'capped',
      `initial:
  - append: { path: greeting.txt, content: "still wrong\\n" }
resume:ci_failure:
  - append: { path: greeting.txt, content: "still wrong\\n" }
`,
    );
    const taskId = await createTask('capped', 'Never quite right');
    const events = await system.waitForEvents(taskId, 'needs attention', (types) => types.includes('TaskNeedsAttention'), 120_000);
    const attention = events.find((e) => e.type === 'TaskNeedsAttention')!;
    expect((attention.data as { reason: string }).reason).toBe('auto_resume_limit');
    expect(
      count(
        events.map((e) => e.type),
        'RunScheduled',
      ),
    ).toBe(3);
    expect((await system.task(taskId))?.status).toBe('needs_attention');
  });

  it('never stores a secret value in an event, a log line or a dead letter', async () => {
    const everything = await system.everythingStored();
    expect(everything.length).toBeGreaterThan(1000);
    expect(everything).not.toContain(SECRET);
  });
});
