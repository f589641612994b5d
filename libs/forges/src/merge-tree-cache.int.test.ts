import { rename } from 'node:fs/promises';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createOrigin, removeDir, tempDir } from '@cohort/testing';
import { MergeTreeCache } from './merge-tree-cache.js';

describe('MergeTreeCache', () => {
  let root: string;
  let repo: Awaited<ReturnType<typeof createOrigin>>;
  let main: string;
  let clean: string;
  let conflicting: string;

  beforeEach(async () => {
    root = await tempDir('merge-tree-cache');
    repo = await createOrigin(root, { 'app.txt': 'one\n' });
    clean = await repo.commit('feature', { 'new.txt': 'new\n' });
    conflicting = await repo.commit('rival', { 'app.txt': 'rival\n' });
    main = await repo.commit('main', { 'app.txt': 'main\n' });
  });
  afterEach(async () => removeDir(root));

  /** Moves the repository away, so only remembered merges can still be answered. */
  const hideRepo = () => rename(repo.origin, `${repo.origin}.hidden`);

  it('answers a pair it merged before without asking git again, and merges new pairs with git', async () => {
    const cache = new MergeTreeCache(repo.origin);
    const first = await cache.merge(main, clean);
    const conflict = await cache.merge(main, conflicting);
    await hideRepo();

    expect(await cache.merge(main, clean)).toEqual(first);
    expect(first.clean).toBe(true);
    expect(await cache.merge(main, conflicting)).toEqual({ clean: false, tree: conflict.tree, conflictingFiles: ['app.txt'] });
    await expect(cache.merge(clean, conflicting)).rejects.toThrow();
  });

  it('forgets the least recently used pair beyond its capacity', async () => {
    const cache = new MergeTreeCache(repo.origin, 2);
    await cache.merge(main, clean);
    await cache.merge(main, conflicting);
    await cache.merge(main, clean); // now the most recent
    await cache.merge(clean, conflicting); // evicts main+conflicting
    await hideRepo();

    await expect(cache.merge(main, clean)).resolves.toMatchObject({ clean: true });
    await expect(cache.merge(main, conflicting)).rejects.toThrow();
  });

  it('does not remember a merge git failed to do', async () => {
    const cache = new MergeTreeCache(repo.origin);
    await hideRepo();
    await expect(cache.merge(main, clean)).rejects.toThrow();
    await rename(`${repo.origin}.hidden`, repo.origin);

    await expect(cache.merge(main, clean)).resolves.toMatchObject({ clean: true });
  });
});
