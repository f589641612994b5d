import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startGatewayHarness, type GatewayHarness } from '../../test/gateway-harness.js';

let h: GatewayHarness;
beforeAll(async () => {
  h = await startGatewayHarness('gwmut', {
    services: ['intake', 'connections', 'pr-watcher', 'projector'],
    env: { GATEWAY_AT_LEAST_TIMEOUT_MS: '300' },
  });
});
afterAll(async () => {
  await h?.dispose();
});

interface CommandResult {
  id: string;
  eventIds: string[];
  position: string;
}

async function mutate(query: string, variables?: Record<string, unknown>): Promise<CommandResult> {
  const reply = await h.gql(query, variables);
  expect(reply.body.errors).toBeUndefined();
  return Object.values(reply.body.data!)[0] as CommandResult;
}

async function query<T>(text: string, variables?: Record<string, unknown>): Promise<T> {
  const reply = await h.gql(text, variables);
  expect(reply.body.errors).toBeUndefined();
  return reply.body.data as T;
}

const REPO_INPUT = `{ name: "acme/web", url: $url, ciCommand: "npm test", setupCommands: ["npm ci"], autoMerge: true, maxConcurrency: 2, defaultAgent: "scripted" }`;

describe('mutations reach their services and queries read their writes', () => {
  let repoPosition = '';
  let taskId = '';
  let taskPosition = '';

  it('registers a repository through intake and reads it back at the returned position', async () => {
    const registered = await mutate(`mutation ($url: String!) { registerRepo(input: ${REPO_INPUT}) { id eventIds position } }`, {
      url: h.repoDir,
    });
    expect(registered.id).toBe('acme-web');
    expect(registered.eventIds).toHaveLength(1);
    expect(BigInt(registered.position)).toBeGreaterThan(0n);
    repoPosition = registered.position;
    const { repo } = await query<{ repo: Record<string, unknown> }>(
      'query ($p: Position) { repo(id: "acme-web", atLeast: $p) { id name url forge defaultBranch ciCommand setupCommands autoMerge approvalRequired cautious maxConcurrency defaultAgent defaultModel } }',
      { p: repoPosition },
    );
    expect(repo).toEqual({
      id: 'acme-web',
      name: 'acme/web',
      url: h.repoDir,
      forge: 'local',
      defaultBranch: 'main',
      ciCommand: 'npm test',
      setupCommands: ['npm ci'],
      autoMerge: true,
      approvalRequired: false,
      cautious: false,
      maxConcurrency: 2,
      defaultAgent: 'scripted',
      defaultModel: null,
    });
  });

  it('updates the repository’s settings', async () => {
    const updated = await mutate(
      `mutation ($url: String!) { updateRepo(id: "acme-web", input: { name: "acme/web", url: $url, cautious: true, ciCommand: "make check" }) { id position } }`,
      { url: h.repoDir },
    );
    const { repos } = await query<{ repos: Array<{ id: string; cautious: boolean; ciCommand: string }> }>(
      `{ repos(atLeast: "${updated.position}") { id cautious ciCommand } }`,
    );
    expect(repos).toEqual([{ id: 'acme-web', cautious: true, ciCommand: 'make check' }]);
  });

  it('creates a repo task and shows it, with its pipeline and repository, at the returned position', async () => {
    const created = await mutate(
      'mutation { createTask(input: { kind: repo, repoId: "acme-web", title: "Fix the login", prompt: "Fix it", priority: 3, budgetUsd: 2.5, taskId: "fix-login" }) { id eventIds position } }',
    );
    expect(created.id).toBe('fix-login');
    taskId = created.id;
    taskPosition = created.position;
    const { task } = await query<{ task: Record<string, unknown> & { pipeline: Array<{ stage: string; status: string }> } }>(
      `query ($p: Position) { task(id: "fix-login", atLeast: $p) {
          id kind title prompt priority budgetUsd agent source state stage version
          repo { name } runs { id } workspace { id } pullRequest { number }
          pipeline { stage status }
          timeline { nodes { type eventId position } pageInfo { hasNextPage } }
          logs { runId lines { seq } lastSeq hasMore }
      } }`,
      { p: taskPosition },
    );
    expect(task).toMatchObject({
      id: 'fix-login',
      kind: 'repo',
      title: 'Fix the login',
      prompt: 'Fix it',
      priority: 3,
      budgetUsd: 2.5,
      agent: 'scripted',
      source: 'manual',
      stage: 'queued',
      repo: { name: 'acme/web' },
      runs: [],
      workspace: null,
      pullRequest: null,
      logs: { runId: null, lines: [], lastSeq: 0, hasMore: false },
    });
    expect(task.pipeline[0]).toEqual({ stage: 'queued', status: 'current' });
    expect(task.pipeline.slice(1).every((s) => s.status === 'pending')).toBe(true);
    expect((task.timeline as { nodes: Array<{ type: string; eventId: string }> }).nodes[0]).toMatchObject({
      type: 'TaskCreated',
      eventId: created.eventIds[0],
    });
  });

  it('lists, filters and counts tasks', async () => {
    await mutate(
      'mutation { createTask(input: { kind: standalone, title: "Weekly report", prompt: "Report", taskId: "report-1" }) { id } }',
    );
    const last = await mutate(
      'mutation { createTask(input: { kind: standalone, title: "Triage", prompt: "Triage", taskId: "triage-1" }) { id position } }',
    );
    const data = await query<{
      all: { totalCount: number; nodes: Array<{ id: string }>; pageInfo: { endCursor: string; hasNextPage: boolean } };
      standalone: { totalCount: number };
      text: { nodes: Array<{ id: string }> };
      counts: Record<string, number>;
    }>(
      `query ($p: Position) {
        all: tasks(first: 2, atLeast: $p) { totalCount nodes { id } pageInfo { endCursor hasNextPage } }
        standalone: tasks(filter: { kinds: [standalone] }, atLeast: $p) { totalCount }
        text: tasks(filter: { text: "LOGIN" }, atLeast: $p) { nodes { id } }
        counts: taskCounts(atLeast: $p) { waiting queued running completed cancelled }
      }`,
      { p: last.position },
    );
    expect(data.all.totalCount).toBe(3);
    expect(data.all.nodes.map((t) => t.id)).toEqual(['triage-1', 'report-1']);
    expect(data.all.pageInfo.hasNextPage).toBe(true);
    expect(data.standalone.totalCount).toBe(2);
    expect(data.text.nodes).toEqual([{ id: 'fix-login' }]);
    expect(Object.values(data.counts).reduce((a, b) => a + b, 0)).toBe(3);
    const next = await query<{ tasks: { nodes: Array<{ id: string }>; pageInfo: { hasNextPage: boolean } } }>(
      `{ tasks(first: 2, after: "${data.all.pageInfo.endCursor}") { nodes { id } pageInfo { hasNextPage } } }`,
    );
    expect(next.tasks).toEqual({ nodes: [{ id: 'fix-login' }], pageInfo: { hasNextPage: false } });
  });

  it('refuses a cursor the list never gave out, naming the argument', async () => {
    const reply = await h.gql('{ tasks(after: "not-a-cursor") { totalCount } }');
    expect(reply.body.errors?.[0]?.extensions).toEqual({ code: 'BAD_USER_INPUT', field: 'after' });
  });

  it('cancels the task and shows it cancelled at the returned position', async () => {
    const cancelled = await mutate(`mutation { cancelTask(id: "${taskId}", reason: "not needed") { id eventIds position } }`);
    expect(cancelled.id).toBe(taskId);
    expect(BigInt(cancelled.position)).toBeGreaterThan(BigInt(taskPosition));
    const { task } = await query<{ task: { state: string; stage: string } }>(
      `{ task(id: "${taskId}", atLeast: "${cancelled.position}") { state stage } }`,
    );
    expect(task).toEqual({ state: 'cancelled', stage: 'done' });
  });

  it('sends reviews to pr-watcher, which refuses one for a task without a pull request', async () => {
    const reply = await h.gql(`mutation { submitReview(input: { taskId: "${taskId}", verdict: approved, body: "LGTM" }) { id } }`);
    expect(reply.body.errors?.[0]?.extensions?.code).toBe('CONFLICT');
    expect(reply.body.errors?.[0]?.message).toContain('no open pull request');
  });

  it('stores a secret through connections, lists its name only, and deletes it', async () => {
    const value = 'ghp_0123456789abcdefSECRET';
    const set = await mutate('mutation ($v: String!) { setSecret(name: "GH_TOKEN", value: $v, scope: "global") { id position } }', {
      v: value,
    });
    const listed = await h.gql(`{ secrets(atLeast: "${set.position}") { name scope updatedAt } }`);
    expect(listed.body.data?.secrets).toEqual([expect.objectContaining({ name: 'GH_TOKEN', scope: 'global' })]);
    expect(JSON.stringify(listed.body)).not.toContain(value);
    const deleted = await mutate('mutation { deleteSecret(name: "GH_TOKEN", scope: "global") { position } }');
    expect((await query<{ secrets: unknown[] }>(`{ secrets(atLeast: "${deleted.position}") { name } }`)).secrets).toEqual([]);
    expect(h.logs.join('\n')).not.toContain(value);
  });

  it('reports how far the projections are and where the log ends', async () => {
    const { readSide } = await query<{ readSide: { available: boolean; checkpoint: string; head: string } }>(
      `{ readSide { available checkpoint head } }`,
    );
    expect(readSide.available).toBe(true);
    expect(BigInt(readSide.head)).toBeGreaterThanOrEqual(BigInt(readSide.checkpoint));
    expect(BigInt(readSide.head)).toBeGreaterThan(BigInt(taskPosition));
  });

  it('answers UNAVAILABLE with both positions when the projections do not reach atLeast in time', async () => {
    const { readSide } = await query<{ readSide: { head: string } }>('{ readSide { head } }');
    const ahead = (BigInt(readSide.head) + 1000n).toString();
    const reply = await h.gql(`{ repos(atLeast: "${ahead}") { id } }`);
    const error = reply.body.errors?.[0];
    expect(error?.extensions).toMatchObject({ code: 'UNAVAILABLE', atLeast: ahead });
    expect(error?.message).toMatch(
      new RegExp(`projections are behind: they have applied position \\d+, the query asked for at least ${ahead}`),
    );
  });

  it('lists the templates with their declared params, and costs and workspaces', async () => {
    const data = await query<{
      templates: Array<{ id: string; params: Array<{ name: string; type: string; required: boolean }> }>;
      costs: unknown[];
      workspaces: unknown[];
    }>(
      '{ templates { id title params { name type required default values } } costs(groupBy: [day, agent], from: "2026-01-01", to: "2026-12-31") { day agent costUsd runs } workspaces { id } }',
    );
    expect(data.templates.map((t) => t.id)).toContain('dependency-report');
    expect(data.templates.find((t) => t.id === 'dependency-report')!.params.length).toBeGreaterThan(0);
    expect(data.costs).toEqual([]);
    expect(data.workspaces).toEqual([]);
  });
});
