import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import type { Envelope } from '@cohort/contracts';
import { LIFECYCLES, repoHistory, storedEnvelopes, taskHistory, ticker } from '../../test/sample-lifecycles.js';
import type { FeedItem } from './feed-item.js';
import type { ProjectedTask } from './projected-task.js';
import { buildBatch, type BatchRows } from './projection-batch.js';
import type { Row } from './rows.js';

const KEYS: Record<'tasks' | 'runs' | 'workspaces' | 'pullRequests', (row: Row) => string> = {
  tasks: (r) => String(r.id),
  runs: (r) => String(r.id),
  workspaces: (r) => String(r.run_id),
  pullRequests: (r) => String(r.task_id),
};

/** The lifecycles' events interleaved as `choices` say, each task's in its own order. */
function interleaved(choices: readonly number[]): FeedItem[] {
  const at = ticker(new Date('2026-04-01T00:00:00Z'));
  const queues = [
    repoHistory('r', at),
    ...LIFECYCLES.flatMap((l, i) => [taskHistory(`a${i}`, 'r', l, at), taskHistory(`b${i}`, 'r', l, at)]),
  ].map(({ aggregate, events }) =>
    events.map(
      (event, v) => ({ ...event, aggregateType: aggregate.type, aggregateId: aggregate.id, version: v + 1 }) as unknown as Envelope,
    ),
  );
  const items: FeedItem[] = [];
  for (let c = 0; queues.some((q) => q.length > 0); c++) {
    const open = queues.filter((q) => q.length > 0);
    items.push({ position: items.length + 1, event: open[(choices[c % Math.max(1, choices.length)] ?? 0) % open.length]!.shift()! });
  }
  return items;
}

describe('buildBatch', () => {
  it('marks as added exactly the rows no earlier batch wrote, whatever the batches and the order of tasks', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.nat(), { maxLength: 50 }),
        fc.array(fc.integer({ min: 1, max: 40 }), { minLength: 1 }),
        fc.nat(3),
        async (choices, sizes, cacheSize) => {
          const items = interleaved(choices);
          // What is stored after each batch; a small cache, so some tasks come back from their stored rows.
          const stored = new Map<string, ProjectedTask>();
          const cache = new Map<string, ProjectedTask>();
          const written = new Set<string>();
          for (let start = 0, b = 0; start < items.length; b++) {
            const batch = items.slice(start, (start += sizes[b % sizes.length]!));
            const rows: BatchRows = await buildBatch(
              batch,
              (id) => cache.get(id),
              async (ids) => new Map(ids.filter((id) => stored.has(id)).map((id) => [id, stored.get(id)!])),
            );
            for (const table of Object.keys(KEYS) as (keyof typeof KEYS)[]) {
              for (const row of rows[table].added)
                expect(written.has(`${table}:${KEYS[table](row)}`), `${table} ${KEYS[table](row)} added twice`).toBe(false);
              for (const row of rows[table].updated)
                expect(written.has(`${table}:${KEYS[table](row)}`), `${table} ${KEYS[table](row)} updated unwritten`).toBe(true);
              for (const row of [...rows[table].added, ...rows[table].updated]) written.add(`${table}:${KEYS[table](row)}`);
            }
            for (const [id, task] of rows.projected) {
              stored.set(id, JSON.parse(JSON.stringify(task)) as ProjectedTask);
              cache.set(id, task);
              while (cache.size > cacheSize) cache.delete(cache.keys().next().value!);
            }
          }
        },
      ),
      { numRuns: 60 },
    );
  });

  it('gives I/O turns while it folds a large batch, not only once it is done', async () => {
    const at = ticker(new Date('2026-04-02T00:00:00Z'));
    const items: FeedItem[] = Array.from({ length: 30 }, (_, t) => taskHistory(`t${t}`, 'r', 'merged', at))
      .flatMap(storedEnvelopes)
      .map(({ envelope }, i) => ({ position: i + 1, event: envelope }));
    expect(items.length).toBeGreaterThan(250);
    let turned = false;
    setImmediate(() => (turned = true));
    let turnedBeforeTheEnd = false;
    await buildBatch(
      items,
      () => undefined,
      async () => new Map(),
    ).then(() => (turnedBeforeTheEnd = turned));
    expect(turnedBeforeTheEnd).toBe(true);
  });
});
