import { describe, expect, it } from 'vitest';
import type { TaskFilter, TaskRow } from '../read-model.js';
import { taskMatchesFilter } from './task-matches-filter.js';

const row = {
  id: 'task-42',
  kind: 'repo',
  title: 'Fix the Login page',
  prompt: 'The button does nothing',
  repoId: 'web',
  state: 'running',
  stage: 'running',
} as TaskRow;

describe('taskMatchesFilter', () => {
  it.each<{ filter: TaskFilter | null; matches: boolean }>([
    { filter: null, matches: true },
    { filter: {}, matches: true },
    { filter: { states: [], stages: [], repoIds: [], kinds: [], text: '  ' }, matches: true },
    { filter: { states: ['queued', 'running'] }, matches: true },
    { filter: { states: ['queued'] }, matches: false },
    { filter: { stages: ['running'], kinds: ['repo'], repoIds: ['api', 'web'] }, matches: true },
    { filter: { stages: ['running'], kinds: ['standalone'] }, matches: false },
    { filter: { repoIds: ['api'] }, matches: false },
    { filter: { text: 'login' }, matches: true },
    { filter: { text: ' BUTTON ' }, matches: true },
    { filter: { text: 'TASK-4' }, matches: true },
    { filter: { text: 'logout' }, matches: false },
    { filter: { states: ['running'], text: 'logout' }, matches: false },
  ])('$filter → $matches', ({ filter, matches }) => {
    expect(taskMatchesFilter(row, filter)).toBe(matches);
  });

  it('does not match a repository filter for a task without a repository', () => {
    expect(taskMatchesFilter({ ...row, repoId: null }, { repoIds: ['web'] })).toBe(false);
  });
});
