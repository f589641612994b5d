import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ProjectionHarness } from '../../test/projection-harness.js';
import { taskHistory, ticker } from '../../test/sample-lifecycles.js';
import { snapshotTables } from '../../test/table-snapshot.js';
import { openProjectionOrm } from '../db/projection-orm.js';
import { migrateGeneration } from '../db/generations.js';
import type { FeedItem } from '../project/feed-item.js';
import { GenerationApplier } from './generation-applier.js';
import { TaskHistory } from './task-history.js';
import type { MikroORM } from '@mikro-orm/postgresql';

describe('GenerationApplier', () => {
  let h: ProjectionHarness;
  let orm: MikroORM;
  let items: FeedItem[];
  let history: TaskHistory;
  beforeEach(async () => {
    h = await ProjectionHarness.create('applier');
    history = new TaskHistory(h.ctx.nc, h.ctx.topology);
    orm = await openProjectionOrm({ databaseUrl: h.db.url });
    await migrateGeneration(orm, h.pool, 'gen');
    const at = ticker(new Date('2026-05-01T08:00:00Z'));
    await h.append(taskHistory('a', 'acme-web', 'ci_failure', at), taskHistory('b', 'acme-web', 'merged', at));
    items = (await h.store.read({ type: 'task', id: 'a' })).events
      .concat((await h.store.read({ type: 'task', id: 'b' })).events)
      .map((envelope, i) => ({ position: i + 1, event: envelope }));
  });
  afterEach(async () => {
    await orm.close(true);
    await h.dispose();
  });

  it('ignores a batch delivered again: positions at or below the checkpoint change nothing', async () => {
    const applier = new GenerationApplier({ pool: h.pool, schema: 'gen', history, cacheSize: 100 });
    await applier.apply(items.slice(0, 10));
    await applier.apply(items.slice(10));
    const once = await snapshotTables(h.pool, 'gen');
    expect(await applier.apply(items)).toBeUndefined();
    const restarted = new GenerationApplier({ pool: h.pool, schema: 'gen', history, cacheSize: 100 });
    await restarted.load();
    expect(await restarted.apply(items.slice(5, 20))).toBeUndefined();
    expect(await snapshotTables(h.pool, 'gen')).toEqual(once);
    expect(once.cost_daily).toHaveLength(1);
  });

  it('commits a batch whole or not at all: a failing statement leaves rows and checkpoint untouched', async () => {
    const applier = new GenerationApplier({ pool: h.pool, schema: 'gen', history, cacheSize: 100 });
    await applier.apply(items.slice(0, 5));
    const before = await snapshotTables(h.pool, 'gen');
    await h.pool.query('ALTER TABLE gen.task_timeline RENAME TO task_timeline_away');
    await expect(applier.apply(items.slice(5))).rejects.toThrow(/task_timeline/);
    await h.pool.query('ALTER TABLE gen.task_timeline_away RENAME TO task_timeline');
    expect(await snapshotTables(h.pool, 'gen')).toEqual(before);
    expect(applier.checkpoint).toBe(5);
    await applier.apply(items.slice(5));
    expect(applier.checkpoint).toBe(items.length);
    expect((await h.rows('tasks', 'id', 'gen')).map((t) => [t.id, t.state])).toEqual([
      ['a', 'completed'],
      ['b', 'completed'],
    ]);
  });

  it('writes text and JSON that need quoting as they are, dropping only the NUL Postgres cannot store', async () => {
    const created = items[0]!.event as { data: { title: string; params: Record<string, string> } };
    created.data.title = 'say "hi" {a,b}, back\\slash \\u0000 NULL\u0000 end';
    created.data.params = { area: 'x\u0000y', quote: '"{}"' };
    const applier = new GenerationApplier({ pool: h.pool, schema: 'gen', history, cacheSize: 100 });
    await applier.apply(items);
    const [task] = await h.rows<{ title: string; params: unknown }>('tasks', 'id', 'gen');
    expect(task!.title).toBe('say "hi" {a,b}, back\\slash \\u0000 NULL end');
    expect(task!.params).toEqual({ area: 'xy', quote: '"{}"' });
    const [first] = await h.rows<{ data: { title: string } }>('task_timeline', 'position', 'gen');
    expect(first!.data.title).toBe('say "hi" {a,b}, back\\slash \\u0000 NULL end');
  });

  it('continues a task folded again from its events in the log when the cache has forgotten it', async () => {
    const cold = new GenerationApplier({ pool: h.pool, schema: 'gen', history, cacheSize: 0 });
    for (const item of items) await cold.apply([item]);
    const warm = new GenerationApplier({ pool: h.pool, schema: 'warm', history, cacheSize: 100 });
    await migrateGeneration(orm, h.pool, 'warm');
    await warm.apply(items);
    expect(await snapshotTables(h.pool, 'gen')).toEqual(await snapshotTables(h.pool, 'warm'));
  });
});
