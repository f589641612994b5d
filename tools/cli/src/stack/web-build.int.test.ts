import { mkdir, mkdtemp, rm, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { webBuildEntry, webBuildState } from './web-build.js';

describe('whether cohort up must build the dashboard', () => {
  let repoRoot: string;
  const at = (seconds: number) => new Date(1_800_000_000_000 + seconds * 1000);
  const write = async (path: string, seconds: number) => {
    await mkdir(join(path, '..'), { recursive: true });
    await writeFile(path, 'x');
    await utimes(path, at(seconds), at(seconds));
  };

  beforeEach(async () => {
    repoRoot = await mkdtemp(join(tmpdir(), 'cohort-web-build-'));
  });
  afterEach(() => rm(repoRoot, { recursive: true, force: true }));

  it('has nothing to build without a dashboard in the checkout', () => {
    expect(webBuildState(repoRoot)).toBe('no-dashboard');
  });

  it('builds when there is no build yet', async () => {
    await write(join(repoRoot, 'web', 'package.json'), 10);
    await write(join(repoRoot, 'web', 'src', 'routes', '+page.svelte'), 10);
    expect(webBuildState(repoRoot)).toBe('missing');
  });

  it('rebuilds when a source deep in src changed after the build, and not otherwise', async () => {
    await write(join(repoRoot, 'web', 'package.json'), 10);
    await write(join(repoRoot, 'web', 'src', 'lib', 'deep', 'client.ts'), 10);
    await write(webBuildEntry(repoRoot), 20);
    // Directories get the time of their last change too; pin them before the build.
    for (const dir of ['src/lib/deep', 'src/lib', 'src']) await utimes(join(repoRoot, 'web', dir), at(10), at(10));
    expect(webBuildState(repoRoot)).toBe('fresh');
    await write(join(repoRoot, 'web', 'src', 'lib', 'deep', 'client.ts'), 30);
    expect(webBuildState(repoRoot)).toBe('stale');
  });

  it('ignores what npm installed under web/src', async () => {
    await write(join(repoRoot, 'web', 'package.json'), 10);
    await write(join(repoRoot, 'web', 'src', 'app.html'), 10);
    await write(webBuildEntry(repoRoot), 20);
    await write(join(repoRoot, 'web', 'src', 'node_modules', 'x', 'index.js'), 30);
    await utimes(join(repoRoot, 'web', 'src'), at(10), at(10));
    expect(webBuildState(repoRoot)).toBe('fresh');
  });
});
