/** Synthetic read-side data for the dashboard benchmark, shaped like the gateway's schema. */

const STATES = ['queued', 'running', 'pr_opened', 'needs_attention', 'completed', 'failed'] as const;
const STAGE_OF: Record<(typeof STATES)[number], string> = {
  queued: 'queued',
  running: 'running',
  pr_opened: 'checks',
  needs_attention: 'review',
  completed: 'done',
  failed: 'running',
};
const T0 = Date.parse('2026-11-01T00:00:00.000Z');
const iso = (ms: number) => new Date(ms).toISOString();

export const REPO = {
  id: 'bench-repo',
  name: 'bench',
  url: '/srv/bench.git',
  forge: 'local',
  defaultBranch: 'main',
  ciCommand: 'npm test',
  setupCommands: [],
  autoMerge: true,
  approvalRequired: false,
  cautious: false,
  reviewAgentEnabled: false,
  maxConcurrency: 0,
  defaultAgent: 'scripted',
  defaultModel: null,
  defaultTemplate: null,
  createdAt: iso(T0),
  updatedAt: iso(T0),
};

/** `count` tasks, newest first, as the tasks query lists them. */
export function syntheticTasks(count: number) {
  return Array.from({ length: count }, (_, i) => {
    const n = count - i;
    const state = STATES[n % STATES.length]!;
    return {
      id: `task-${String(n).padStart(6, '0')}`,
      kind: 'repo',
      title: `Synthetic task ${n}: update the greeting in module ${n % 97}`,
      prompt: 'Make the greeting name Cohort',
      templateId: null,
      params: [],
      repo: REPO,
      repoId: REPO.id,
      baseBranch: 'main',
      agent: 'scripted',
      model: 'default',
      priority: 0,
      budgetUsd: null,
      state,
      stage: STAGE_OF[state],
      attentionReason: state === 'needs_attention' ? 'auto_resume_limit' : null,
      failureReason: state === 'failed' ? 'the agent exited with code 1' : null,
      source: 'manual',
      sourceUrl: null,
      dependsOn: [],
      costUsd: (n % 50) / 100,
      inputTokens: n * 10,
      outputTokens: n * 3,
      createdAt: iso(T0 + n * 60_000),
      updatedAt: iso(T0 + n * 60_000 + 30_000),
      completedAt: state === 'completed' ? iso(T0 + n * 60_000 + 90_000) : null,
      version: 12,
    };
  });
}

/** The detail of the task whose log is benchmarked: one running run. */
export function logTask(id: string, runId: string) {
  const start = T0;
  const stages = ['queued', 'setup', 'running', 'pr', 'checks', 'review', 'merge', 'done'];
  return {
    ...syntheticTasks(1)[0]!,
    id,
    title: 'Log benchmark task',
    state: 'running',
    stage: 'running',
    pipeline: stages.map((stage, i) => ({
      stage,
      status: i < 2 ? 'done' : i === 2 ? 'current' : 'pending',
      enteredAt: i <= 2 ? iso(start + i * 1000) : null,
      leftAt: i < 2 ? iso(start + (i + 1) * 1000) : null,
    })),
    runs: [
      {
        id: runId,
        attempt: 1,
        kind: 'initial',
        reason: null,
        status: 'running',
        outcome: null,
        prompt: 'Make the greeting name Cohort',
        summary: '',
        error: null,
        agent: 'scripted',
        model: 'default',
        inputTokens: 0,
        cachedInputTokens: 0,
        outputTokens: 0,
        costUsd: 0,
        headSha: null,
        scheduledAt: iso(start),
        startedAt: iso(start + 2000),
        finishedAt: null,
        logLines: 0,
      },
    ],
    workspace: null,
    pullRequest: null,
  };
}

const WORDS = ['compiling', 'module', 'greeting', 'test', 'passed', 'warning', 'cache', 'resolved', 'dependency', 'writing'];

/** Log line `seq` of the run: varied lengths, a share of them with ANSI colours. */
export function syntheticLogLine(taskId: string, runId: string, seq: number) {
  const words = Array.from({ length: 4 + (seq % 17) }, (_, i) => WORDS[(seq * 7 + i) % WORDS.length]).join(' ');
  const text =
    seq % 5 === 0
      ? `\u001b[32m✓\u001b[0m ${words} \u001b[2m(${seq % 1000} ms)\u001b[0m`
      : seq % 23 === 0
        ? `\u001b[1;31merror\u001b[0m ${words}`
        : words;
  return { taskId, runId, seq, stream: seq % 41 === 0 ? 'stderr' : 'stdout', text, at: iso(T0 + seq) };
}
