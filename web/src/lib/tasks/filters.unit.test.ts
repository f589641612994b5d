import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { STAGES, TASK_KINDS, TASK_STATES } from '../graphql/types.js';
import { filtersFromSearch, filtersToSearch, matchesFilters, NO_FILTERS, toTaskFilter, type TaskListFilters } from './filters.js';

const filters = fc.record({
  states: fc.subarray([...TASK_STATES]),
  stages: fc.subarray([...STAGES]),
  kinds: fc.subarray([...TASK_KINDS]),
  repoIds: fc.uniqueArray(fc.stringMatching(/^[a-z0-9-]{1,12}$/), { maxLength: 4 }),
  text: fc.string({ maxLength: 20 }).map((s) => s.trim()),
});

describe('task list filters in the URL', () => {
  it('survive a round trip through the query string', () => {
    fc.assert(
      fc.property(filters, (f) => {
        const back = filtersFromSearch(new URLSearchParams(filtersToSearch(f).toString()));
        expect(back.states).toEqual(TASK_STATES.filter((s) => f.states.includes(s)));
        expect(back.stages).toEqual(STAGES.filter((s) => f.stages.includes(s)));
        expect(back.kinds).toEqual(TASK_KINDS.filter((s) => f.kinds.includes(s)));
        expect(back.repoIds).toEqual(f.repoIds);
        expect(back.text).toBe(f.text);
      }),
    );
  });

  it('read repeated and comma-separated values and ignore unknown ones', () => {
    const f = filtersFromSearch(new URLSearchParams('state=running,bogus&state=failed&stage=pr&kind=alien&repo=a&repo=a&q=%20fix%20'));
    expect(f).toEqual({ states: ['running', 'failed'], stages: ['pr'], kinds: [], repoIds: ['a'], text: 'fix' });
  });

  it('write nothing for no filters', () => {
    expect(filtersToSearch(NO_FILTERS).toString()).toBe('');
    expect(toTaskFilter(NO_FILTERS)).toEqual({});
  });

  it('become a GraphQL TaskFilter without empty criteria', () => {
    const f: TaskListFilters = { ...NO_FILTERS, states: ['running'], text: '  greet ' };
    expect(toTaskFilter(f)).toEqual({ states: ['running'], text: 'greet' });
  });
});

describe('matchesFilters', () => {
  const task = {
    id: 'task-1',
    title: 'Greet Cohort',
    state: 'running' as const,
    stage: 'running' as const,
    kind: 'repo' as const,
    repo: { id: 'demo' },
  };
  it.each<[string, Partial<TaskListFilters>, boolean]>([
    ['no filters', {}, true],
    ['its state', { states: ['running', 'queued'] }, true],
    ['another state', { states: ['failed'] }, false],
    ['another stage', { stages: ['pr'] }, false],
    ['another kind', { kinds: ['standalone'] }, false],
    ['its repo', { repoIds: ['demo'] }, true],
    ['another repo', { repoIds: ['other'] }, false],
    ['text in the title, any case', { text: 'cohort' }, true],
    ['text in the id', { text: 'TASK-1' }, true],
    ['text nowhere', { text: 'nope' }, false],
  ])('%s', (_name, f, expected) => {
    expect(matchesFilters(task, { ...NO_FILTERS, ...f })).toBe(expected);
  });
});
