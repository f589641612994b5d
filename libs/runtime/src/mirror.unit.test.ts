import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { absoluteRepoUrl } from './mirror.js';

describe('absoluteRepoUrl', () => {
  it.each([
    'https://github.com/acme/web.git',
    'ssh://git@host/r.git',
    'file:///srv/r.git',
    'git@github.com:acme/web.git',
    '/srv/git/r.git',
  ])('leaves %s as it is', (url) => expect(absoluteRepoUrl(url)).toBe(url));

  it('makes a relative local path absolute against the current directory', () => {
    expect(absoluteRepoUrl('repos/web.git')).toBe(resolve('repos/web.git'));
    expect(absoluteRepoUrl('./web')).toBe(resolve('web'));
  });
});
