import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { removeDir, tempDir } from '@cohort/testing';
import { PullRequestStore, type StoredPullRequest } from './pull-request-store.js';

const record = (number: number): StoredPullRequest => ({
  number,
  branch: `b${number}`,
  base: 'main',
  title: 't',
  body: '',
  draft: false,
  state: 'open',
  headSha: '0'.repeat(40),
  createdAt: '2026-01-01T00:00:00.000Z',
  updatedAt: '2026-01-01T00:00:00.000Z',
  reviews: [],
});

describe('PullRequestStore', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await tempDir('store');
  });
  afterEach(async () => removeDir(dir));

  it('gives 40 concurrent creators from separate store instances 40 distinct, gapless numbers', async () => {
    const created = await Promise.all(Array.from({ length: 40 }, () => new PullRequestStore(dir).create(record).then((r) => r.number)));
    expect([...created].sort((a, b) => a - b)).toEqual(Array.from({ length: 40 }, (_, i) => i + 1));
    const listed = await new PullRequestStore(dir).list();
    expect(listed.map((r) => r.branch)).toEqual(listed.map((r) => `b${r.number}`));
    expect((await readdir(join(dir, 'pulls'))).filter((n) => n.endsWith('.tmp'))).toEqual([]);
  });

  it('reads nothing for numbers that cannot exist', async () => {
    const store = new PullRequestStore(dir);
    await store.create(record);
    for (const n of [0, -1, 1.5, Number.NaN, 2]) expect(await store.read(n)).toBeUndefined();
    expect((await store.read(1))?.branch).toBe('b1');
  });
});
