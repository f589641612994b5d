import type { MikroORM } from '@mikro-orm/postgresql';
import type { Pool } from 'pg';
import { dropGeneration, listGenerations, reserveGeneration, setUpGeneration, type Generation } from '../db/generations.js';

/** An empty generation made ahead of a rebuild, with the indexes it leaves for the end. */
export interface Spare {
  readonly generation: Generation;
  readonly deferredIndexes: string[];
}

/**
 * Keeps one empty generation (status `spare`) ready for the next rebuild to
 * start on at once: making one, a dozen tables, takes tens of milliseconds
 * of a rebuild otherwise. It is made in the background; failing to make one
 * only costs that rebuild the time to make its own.
 */
export class SpareGeneration {
  private making: Promise<Spare | undefined> | undefined;

  constructor(
    private readonly orm: MikroORM,
    private readonly pool: Pool,
    private readonly base: string,
    private readonly warn: (message: string) => void,
  ) {}

  /** Starts making one, unless there is one already or one is being made. */
  prepare(): void {
    if (this.making !== undefined) return;
    this.making = this.make().catch((error: unknown) => {
      this.warn(`could not make a generation ahead of the next rebuild: ${error instanceof Error ? error.message : String(error)}`);
      this.making = undefined;
      return undefined;
    });
  }

  /** Takes it for a rebuild, now `building` (waiting if it is being made); undefined when there is none. */
  async claim(): Promise<Spare | undefined> {
    const spare = await this.making;
    this.making = undefined;
    if (spare === undefined) return undefined;
    const claimed = await this.pool.query(
      `UPDATE "${this.base}".projection_generations SET status = 'building' WHERE generation = $1 AND status = 'spare'`,
      [spare.generation.generation],
    );
    return claimed.rowCount === 1 ? { ...spare, generation: { ...spare.generation, status: 'building' } } : undefined;
  }

  /**
   * Drops every spare, this one's and any an earlier process left: it may be
   * of another version of the schema. Called when a term starts, before the
   * next is prepared.
   */
  async discard(): Promise<void> {
    await this.making;
    this.making = undefined;
    const listed = await listGenerations(this.pool, this.base);
    for (const spare of listed.filter((g) => g.status === 'spare')) await dropGeneration(this.pool, this.base, spare);
  }

  /** Settles once none is being made. */
  async settled(): Promise<void> {
    await this.making;
  }

  private async make(): Promise<Spare> {
    const generation = await reserveGeneration(this.pool, this.base, 'spare');
    const deferredIndexes = await setUpGeneration(this.orm, this.pool, this.base, generation, { deferIndexes: true, durable: false });
    return { generation, deferredIndexes };
  }
}
