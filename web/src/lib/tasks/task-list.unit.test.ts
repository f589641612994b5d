import { describe, expect, it } from 'vitest';
import type { TaskSummary } from '../graphql/types.js';
import { NO_FILTERS } from './filters.js';
import { applyTaskUpdate } from './task-list.js';

const task = (id: string, version: number, patch: Partial<TaskSummary> = {}): TaskSummary => ({
  id,
  kind: 'repo',
  title: `Task ${id}`,
  state: 'running',
  stage: 'running',
  repo: { id: 'demo', name: 'demo' },
  agent: 'scripted',
  model: 'default',
  costUsd: 0,
  attentionReason: null,
  failureReason: null,
  createdAt: '2026-11-20T10:00:00Z',
  updatedAt: '2026-11-20T10:00:00Z',
  version,
  ...patch,
});

describe('applyTaskUpdate', () => {
  it('replaces a listed task in place', () => {
    const list = [task('a', 1), task('b', 1)];
    const next = applyTaskUpdate(list, task('b', 2, { state: 'pr_opened' }), NO_FILTERS);
    expect(next.map((t) => [t.id, t.state])).toEqual([
      ['a', 'running'],
      ['b', 'pr_opened'],
    ]);
  });

  it('puts a new matching task on top', () => {
    expect(applyTaskUpdate([task('a', 1)], task('n', 1), NO_FILTERS).map((t) => t.id)).toEqual(['n', 'a']);
  });

  it('drops a task that no longer matches and ignores new ones that do not', () => {
    const running = { ...NO_FILTERS, states: ['running' as const] };
    expect(applyTaskUpdate([task('a', 1)], task('a', 2, { state: 'completed' }), running)).toEqual([]);
    expect(applyTaskUpdate([task('a', 1)], task('z', 1, { state: 'failed' }), running).map((t) => t.id)).toEqual(['a']);
  });

  it('never lets an older version overwrite a newer one', () => {
    const list = [task('a', 5, { state: 'completed' })];
    expect(applyTaskUpdate(list, task('a', 3), NO_FILTERS)[0]!.state).toBe('completed');
  });
});
