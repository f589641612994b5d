import type { Pool } from 'pg';
import { inTransaction, readCheckpoint } from '../db/generations.js';
import { writeBatch } from '../db/write-batch.js';
import type { FeedItem } from '../project/feed-item.js';
import type { ProjectedTask } from '../project/projected-task.js';
import { buildBatch, type BatchRows } from '../project/projection-batch.js';
import { TaskCache } from './task-cache.js';

/**
 * Applies batches of events to one generation's tables. Each batch is one
 * transaction holding its rows and the new checkpoint; events at or below the
 * checkpoint are skipped, so a redelivered event changes nothing.
 */
export class GenerationApplier {
  private position = 0;
  private readonly cache: TaskCache;

  constructor(
    private readonly pool: Pool,
    readonly schema: string,
    cacheSize: number,
    /** Whether a commit waits for the disk; off only while nobody reads this generation. */
    public durable = true,
  ) {
    this.cache = new TaskCache(cacheSize);
  }

  /** Position of the last event committed to this generation. */
  get checkpoint(): number {
    return this.position;
  }

  async load(): Promise<number> {
    this.position = await readCheckpoint(this.pool, this.schema);
    this.cache.clear();
    return this.position;
  }

  /** Applies the items past the checkpoint; returns what was written, or undefined when nothing was new. */
  async apply(items: readonly FeedItem[]): Promise<BatchRows | undefined> {
    const from = this.position;
    const fresh = items.filter((item) => item.position > from);
    if (fresh.length === 0) return undefined;
    const rows = await inTransaction(this.pool, async (client) => {
      if (!this.durable) await client.query('SET LOCAL synchronous_commit = off');
      const built = await buildBatch(
        fresh,
        (id) => this.cache.get(id),
        async (ids) => {
          const result = await client.query<{ id: string; folded: ProjectedTask }>(
            `SELECT id, folded FROM "${this.schema}".tasks WHERE id = ANY($1::text[])`,
            [ids],
          );
          return new Map(result.rows.map((r) => [r.id, r.folded]));
        },
      );
      await writeBatch(client, this.schema, built, from);
      return built;
    });
    // Only committed states reach the cache: a failed batch leaves it as it was.
    for (const [id, task] of rows.projected) this.cache.set(id, task);
    this.position = rows.lastPosition;
    return rows;
  }

  /** Moves the checkpoint without events, when the log has none between here and `position`. */
  async advanceTo(position: number): Promise<void> {
    if (position <= this.position) return;
    await this.pool.query(`UPDATE "${this.schema}".projection_checkpoint SET position = $1, updated_at = now() WHERE id = 'live'`, [
      position,
    ]);
    this.position = position;
  }
}
