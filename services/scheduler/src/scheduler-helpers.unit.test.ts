import { describe, expect, it } from 'vitest';
import { ConfigError } from '@cohort/platform';
import type { RunState } from '@cohort/domain';
import { compareActiveTasks, decodeActiveTask, encodeActiveTask, type ActiveTask } from './active-task.js';
import { capacityFor, freeSlots } from './capacity.js';
import { readSchedulerConfig } from './config.js';
import { heartbeatAgeMs, parseHeartbeat } from './heartbeat.js';

const task = (over: Partial<ActiveTask> & { taskId: string }): ActiveTask => ({
  version: 1,
  status: 'queued',
  repoId: '',
  parentTaskId: '',
  dependsOn: [],
  priority: 0,
  createdAt: '2026-01-01T00:00:00.000Z',
  activeRunId: '',
  awaitingCapacity: false,
  ...over,
});

describe('capacity', () => {
  const tasks = [
    task({ taskId: 'a', repoId: 'web', activeRunId: 'a-r1' }),
    task({ taskId: 'b', repoId: 'web', activeRunId: 'b-r1' }),
    task({ taskId: 'c', repoId: 'api', activeRunId: 'c-r1' }),
    task({ taskId: 'd', repoId: 'api' }),
  ];

  it.each([
    { name: 'counts runs held by other tasks against both limits', taskId: 'd', globalFree: 1, web: 0, api: 0 },
    { name: 'leaves out the task itself, whose folded state is fresher', taskId: 'a', globalFree: 2, web: 1, api: 0 },
  ])('$name', ({ taskId, globalFree, web, api }) => {
    const limits = new Map([
      ['web', 2],
      ['api', 1],
    ]);
    expect(capacityFor(taskId, tasks, 4, limits)).toEqual({ globalFree, perRepoFree: { web, api } });
  });

  it('never reports negative free slots when more runs hold slots than the limit allows', () => {
    expect(freeSlots(tasks, 2, new Map([['web', 1]]))).toEqual({ globalFree: 0, perRepoFree: { web: 0 } });
  });
});

describe('heartbeats', () => {
  const run = (over: Partial<RunState>): RunState =>
    ({ id: 't-r1', status: 'running', startedAt: '2026-01-01T00:00:00.000Z', ...over }) as RunState;
  const now = Date.parse('2026-01-01T00:10:00.000Z');
  const beat = (value: unknown) => new TextEncoder().encode(JSON.stringify(value));

  it('reads the agreed format and rejects anything else', () => {
    expect(parseHeartbeat('t-r1', beat({ taskId: 't', runId: 't-r1', at: '2026-01-01T00:09:00Z' }))).toEqual({
      taskId: 't',
      runId: 't-r1',
      at: '2026-01-01T00:09:00Z',
    });
    expect(parseHeartbeat('t-r1', beat({ taskId: 't', runId: 't-r2', at: '2026-01-01T00:09:00Z' }))).toBeUndefined();
    expect(parseHeartbeat('t-r1', beat({ runId: 't-r1', at: 'yesterday' }))).toBeUndefined();
    expect(parseHeartbeat('t-r1', new TextEncoder().encode('{'))).toBeUndefined();
  });

  it.each([
    { name: 'since the last heartbeat', at: '2026-01-01T00:09:00.000Z', status: 'running', age: 60_000 },
    { name: 'since the start when no heartbeat came yet', at: undefined, status: 'running', age: 600_000 },
    { name: 'since the start when the heartbeat is older than the start', at: '2025-12-31T00:00:00.000Z', status: 'running', age: 600_000 },
    { name: 'not at all for a run that is not running', at: '2026-01-01T00:09:00.000Z', status: 'provisioning', age: undefined },
  ] as const)('measures silence $name', ({ at, status, age }) => {
    const heartbeat = at === undefined ? undefined : { taskId: 't', runId: 't-r1', at };
    expect(heartbeatAgeMs(run({ status }), heartbeat, now)).toBe(age);
  });
});

describe('active task entries', () => {
  it('round-trip through the bucket format and ignore values of another key or shape', () => {
    const entry = task({ taskId: 'x', activeRunId: 'x-r1', awaitingCapacity: true, dependsOn: ['w'] });
    expect(decodeActiveTask('x', encodeActiveTask(entry))).toEqual(entry);
    expect(decodeActiveTask('y', encodeActiveTask(entry))).toBeUndefined();
    expect(decodeActiveTask('x', new TextEncoder().encode('[]'))).toBeUndefined();
  });

  it('order like the domain: priority, then first created, then id', () => {
    const sorted = [
      task({ taskId: 'late', createdAt: '2026-01-02T00:00:00Z' }),
      task({ taskId: 'urgent', priority: 9, createdAt: '2026-01-03T00:00:00Z' }),
      task({ taskId: 'b', createdAt: '2026-01-01T00:00:00Z' }),
      task({ taskId: 'a', createdAt: '2026-01-01T00:00:00Z' }),
    ].sort(compareActiveTasks);
    expect(sorted.map((t) => t.taskId)).toEqual(['urgent', 'a', 'b', 'late']);
  });
});

describe('config', () => {
  it('has the documented defaults', () => {
    const config = readSchedulerConfig({});
    expect(config).toMatchObject({
      natsUrl: 'nats://127.0.0.1:4222',
      namespace: 'cohort',
      healthPort: undefined,
      resyncMs: 15_000,
      maxConcurrentRuns: 4,
    });
    expect(config.policy).toMatchObject({
      maxConcurrentRuns: 4,
      stallThresholdMs: 600_000,
      maxRetries: 3,
      maxRunDurationMs: 3_600_000,
      provisioningTimeoutMs: 600_000,
    });
  });

  it('reads the maximum run duration and refuses one that is not a positive number of milliseconds', () => {
    expect(readSchedulerConfig({ SCHEDULER_MAX_RUN_DURATION_MS: '90000' }).policy.maxRunDurationMs).toBe(90_000);
    expect(() => readSchedulerConfig({ SCHEDULER_MAX_RUN_DURATION_MS: '0' })).toThrow(/SCHEDULER_MAX_RUN_DURATION_MS="0"/);
  });

  it('reads the provisioning timeout and names it when it is bad', () => {
    expect(readSchedulerConfig({ SCHEDULER_PROVISIONING_TIMEOUT_MS: '120000' }).policy.provisioningTimeoutMs).toBe(120_000);
    expect(() => readSchedulerConfig({ SCHEDULER_PROVISIONING_TIMEOUT_MS: 'ten minutes' })).toThrow(
      /SCHEDULER_PROVISIONING_TIMEOUT_MS="ten minutes"/,
    );
  });

  it('names every bad variable at once', () => {
    let problems: readonly string[] = [];
    try {
      readSchedulerConfig({ SCHEDULER_RESYNC_MS: 'soon', SCHEDULER_MAX_CONCURRENT_RUNS: '0', COHORT_NAMESPACE: 'Bad-Name' });
    } catch (error) {
      expect(error).toBeInstanceOf(ConfigError);
      problems = (error as ConfigError).problems;
    }
    expect(problems).toHaveLength(3);
    expect(problems.join('\n')).toMatch(
      /COHORT_NAMESPACE="Bad-Name"[\s\S]*SCHEDULER_MAX_CONCURRENT_RUNS="0"[\s\S]*SCHEDULER_RESYNC_MS="soon"/,
    );
  });
});
