import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { ForgeKind, ReviewTrigger, create, RepoSettingsSchema } from '@cohort/contracts';
import { REPO_ID, repoIdFromName, validateRepoSettings } from './repo-settings.js';

const env = { isDirectory: (path: string) => path === '/repos/web', templateIds: ['dependency-report'] };
const settings = (init: Parameters<typeof create<typeof RepoSettingsSchema>>[1] = {}) =>
  create(RepoSettingsSchema, { name: 'acme/web', url: '/repos/web', ...init });

describe('repoIdFromName', () => {
  it.each([
    ['acme/web', 'acme-web'],
    ['Acme/Web.App', 'acme-web-app'],
    ['--x--', 'x'],
    ['my_repo', 'my_repo'],
  ])('derives %j → %j', (name, id) => {
    expect(repoIdFromName(name)).toBe(id);
  });

  it('always gives a subject-safe id or nothing (property)', () => {
    fc.assert(
      fc.property(fc.string(), (name) => {
        const id = repoIdFromName(name);
        expect(id === '' || REPO_ID.test(id)).toBe(true);
      }),
    );
  });
});

describe('validateRepoSettings', () => {
  it('fills in the default branch, the forge of a local path and the review trigger', () => {
    const result = validateRepoSettings(settings({ policy: { reviewAgent: { enabled: true } } }), env);
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.settings.defaultBranch).toBe('main');
    expect(result.settings.forge).toBe(ForgeKind.LOCAL);
    expect(result.settings.policy?.reviewAgent?.trigger).toBe(ReviewTrigger.ON_CHECKS_PASSED);
  });

  it.each([
    ['https://github.com/acme/web.git', ForgeKind.GITHUB],
    ['git@github.com:acme/web.git', ForgeKind.GITHUB],
  ])('accepts the git URL %j as forge %i', (url, forge) => {
    const result = validateRepoSettings(settings({ url }), env);
    expect(result.ok && result.settings.forge).toBe(forge);
  });

  it.each([
    [{ url: 'https://gitlab.example/acme/web.git' }, 'settings.forge'],
    [{ url: '/repos/missing' }, 'settings.url'],
    [{ name: '' }, 'settings.name'],
    [{ defaultBranch: '-x' }, 'settings.defaultBranch'],
    [{ defaultBranch: 'a.lock' }, 'settings.defaultBranch'],
    [{ defaultAgent: 'Claude Code' }, 'settings.defaultAgent'],
    [{ policy: { reviewAgent: { enabled: true, agent: 'BAD AGENT' } } }, 'settings.policy.reviewAgent.agent'],
  ])('refuses %j naming %s', (init, field) => {
    const result = validateRepoSettings(settings(init), env);
    expect(!result.ok && result.problem.field).toBe(field);
  });

  it('does not change the settings it was given', () => {
    const given = settings();
    validateRepoSettings(given, env);
    expect(given.defaultBranch).toBe('');
  });
});
