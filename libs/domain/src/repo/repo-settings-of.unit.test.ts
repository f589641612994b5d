import { describe, expect, it } from 'vitest';
import { create, ForgeKind, RepoRegisteredSchema, RepoUpdatedSchema, TaskCreatedSchema, type CohortEvent } from '@cohort/contracts';
import { repoSettingsOf } from './repo-settings-of.js';

const settings = (defaultBranch: string) => ({ name: 'acme/web', url: '/srv/acme-web.git', forge: ForgeKind.LOCAL, defaultBranch });
const registered = (defaultBranch: string): CohortEvent => ({
  type: 'RepoRegistered',
  data: create(RepoRegisteredSchema, { repoId: 'acme-web', settings: settings(defaultBranch) }),
});
const updated = (defaultBranch?: string): CohortEvent => ({
  type: 'RepoUpdated',
  data: create(RepoUpdatedSchema, { repoId: 'acme-web', ...(defaultBranch ? { settings: settings(defaultBranch) } : {}) }),
});

describe('repoSettingsOf', () => {
  it('is undefined for a repository that was never registered', () => {
    expect(repoSettingsOf([])).toBeUndefined();
  });

  it('gives the settings the repository was registered with', () => {
    expect(repoSettingsOf([registered('main')])?.defaultBranch).toBe('main');
  });

  it('gives the settings of the last update, which carries the whole of them', () => {
    expect(repoSettingsOf([registered('main'), updated('trunk'), updated('develop')])?.defaultBranch).toBe('develop');
  });

  it('keeps the settings in force when an update carries none', () => {
    expect(repoSettingsOf([registered('main'), updated()])?.defaultBranch).toBe('main');
  });

  it('ignores events of other kinds', () => {
    const other: CohortEvent = { type: 'TaskCreated', data: create(TaskCreatedSchema, { taskId: 't1', title: 'x' }) };
    expect(repoSettingsOf([registered('main'), other])?.defaultBranch).toBe('main');
  });
});
