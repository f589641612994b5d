import type { Pool } from 'pg';
import { ByteWriter } from '../db/byte-writer.js';
import { readCheckpoint } from '../db/generations.js';
import type { SqlScript } from '../db/sql-script.js';
import { encodeBatch, writeBatch } from '../db/write-batch.js';
import type { FeedItem } from '../project/feed-item.js';
import type { ProjectedTask } from '../project/projected-task.js';
import { buildBatch } from '../project/projection-batch.js';
import { TaskCache } from './task-cache.js';
import type { TaskHistory } from './task-history.js';

/** What a batch changed, for listeners. */
export interface AppliedBatch {
  /** The checkpoint the batch continues from. */
  readonly from: number;
  readonly taskIds: readonly string[];
  readonly repoIds: readonly string[];
  readonly lastPosition: number;
}

/** A batch built and encoded, not yet written: see GenerationApplier.prepare. */
export interface PreparedBatch extends AppliedBatch {
  /** The folded tasks after the batch, for the cache once it is committed. */
  readonly projected: ReadonlyMap<string, ProjectedTask>;
  readonly script: SqlScript;
  /** Holds the script's rows until it is written. */
  readonly bytes: ByteWriter;
}

export interface GenerationApplierOptions {
  readonly pool: Pool;
  readonly schema: string;
  /** Where tasks the cache does not hold are folded again from. */
  readonly history: TaskHistory;
  /** Tasks kept folded in memory. */
  readonly cacheSize: number;
  /** Whether a commit waits for the disk; off only while nobody reads the generation. @default true */
  readonly durable?: boolean;
  /**
   * Settles once the generation's tables exist: batches can be built before
   * (a rebuild folds its first events while the tables are made), but
   * nothing is written to them until then.
   */
  readonly tablesReady?: Promise<void>;
}

/**
 * Applies batches of events to one generation's tables. Each batch is one
 * transaction holding its rows and the new checkpoint; events at or below the
 * checkpoint are skipped, so a redelivered event changes nothing.
 *
 * A batch can be built (`prepare`) while the one before it is still being
 * written (`commit`), so building and writing overlap; commits stay in order,
 * one at a time, and a batch built on one that then failed is refused.
 */
export class GenerationApplier {
  private position = 0;
  private preparedTo = 0;
  private readonly cache: TaskCache;
  /** States of batches built but not yet committed, newest first in lookups. */
  private readonly pending = new Map<string, ProjectedTask>();
  /**
   * Buffers batches' rows are encoded into, reused: one for the batch being
   * written and one for the batch being built, as a rule.
   */
  private readonly spareBytes: ByteWriter[] = [];

  private readonly pool: Pool;
  readonly schema: string;
  private readonly history: TaskHistory;
  private readonly tablesReady: Promise<void>;
  /** Whether a commit waits for the disk; off only while nobody reads this generation. */
  durable: boolean;

  constructor(options: GenerationApplierOptions) {
    this.pool = options.pool;
    this.schema = options.schema;
    this.history = options.history;
    this.cache = new TaskCache(options.cacheSize);
    this.durable = options.durable ?? true;
    this.tablesReady = options.tablesReady ?? Promise.resolve();
  }

  /** Position of the last event committed to this generation. */
  get checkpoint(): number {
    return this.position;
  }

  /** Position of the last event of the batches built so far (committed or not). */
  get prepared(): number {
    return this.preparedTo;
  }

  async load(): Promise<number> {
    this.position = await readCheckpoint(this.pool, this.schema);
    this.preparedTo = this.position;
    this.cache.clear();
    this.pending.clear();
    return this.position;
  }

  /** Applies the items past the checkpoint; returns what was written, or undefined when nothing was new. */
  async apply(items: readonly FeedItem[]): Promise<AppliedBatch | undefined> {
    const batch = await this.prepare(items);
    if (batch === undefined) return undefined;
    await this.commit(batch);
    return batch;
  }

  /**
   * Builds the rows of the items past the batches built so far and encodes
   * them, without writing them; undefined when nothing is new. Tasks come
   * from batches not yet committed, then the cache, then their stored rows.
   * Encoding here, not when written, lets the rows die young: the GC copies
   * what outlives a collection, and a batch waits a while to be written.
   */
  async prepare(items: readonly FeedItem[]): Promise<PreparedBatch | undefined> {
    const from = this.preparedTo;
    const fresh = items.filter((item) => item.position > from);
    if (fresh.length === 0) return undefined;
    const rows = await buildBatch(
      fresh,
      (id) => this.pending.get(id) ?? this.cache.get(id),
      // Tasks neither built on nor cached are folded again from their events before this batch.
      (ids) => this.history.load(ids, from),
    );
    for (const [id, task] of rows.projected) this.pending.set(id, task);
    this.preparedTo = rows.lastPosition;
    const bytes = this.spareBytes.pop() ?? new ByteWriter(1024 * 1024);
    bytes.reset();
    const script = encodeBatch(this.schema, rows, bytes);
    return {
      from,
      taskIds: rows.taskIds,
      repoIds: rows.repoIds,
      lastPosition: rows.lastPosition,
      projected: rows.projected,
      script,
      bytes,
    };
  }

  /** Writes a prepared batch and its checkpoint in one transaction. Batches must be committed in the order they were prepared. */
  async commit(batch: PreparedBatch): Promise<void> {
    if (batch.from !== this.position) {
      throw new Error(
        `batch from position ${batch.from} of ${this.schema} cannot be committed at ${this.position}: a batch before it did not commit`,
      );
    }
    try {
      await this.tablesReady;
      await writeBatch(this.pool, this.schema, batch.script, batch.from, batch.lastPosition, { durable: this.durable });
    } catch (error) {
      // Whatever was built on this batch is void: the next batch starts again from the checkpoint.
      this.pending.clear();
      this.preparedTo = this.position;
      throw error;
    }
    // Written: Postgres has read every row, so the buffer can take another batch's.
    this.spareBytes.push(batch.bytes);
    // Only committed states reach the cache.
    for (const [id, task] of batch.projected) {
      this.cache.set(id, task);
      if (this.pending.get(id) === task) this.pending.delete(id);
    }
    this.position = batch.lastPosition;
  }

  /** Moves the checkpoint without events, when the log has none between here and `position`. */
  async advanceTo(position: number): Promise<void> {
    if (position <= this.position) return;
    if (this.preparedTo !== this.position) throw new Error(`${this.schema} has batches not yet committed; commit them first`);
    await this.tablesReady;
    await this.pool.query(`UPDATE "${this.schema}".projection_checkpoint SET position = $1, updated_at = now() WHERE id = 'live'`, [
      position,
    ]);
    this.position = position;
    this.preparedTo = position;
  }
}
