import { setTimeout as sleep } from 'node:timers/promises';
import type { NatsConnection } from '@nats-io/transport-node';
import type { MikroORM } from '@mikro-orm/postgresql';
import type { Pool } from 'pg';
import type { Topology } from '@cohort/contracts';
import { openProjectionOrm } from '../db/projection-orm.js';
import {
  assertSchemaBase,
  createGeneration,
  dropGeneration,
  ensureControlSchema,
  inTransaction,
  listGenerations,
  migrateLiveGeneration,
  pointViewsAt,
  reserveGeneration,
  setUpGeneration,
  type Generation,
} from '../db/generations.js';
import { createIndexes } from '../db/secondary-indexes.js';
import { EventFeed } from './event-feed.js';
import { GenerationApplier, type AppliedBatch } from './generation-applier.js';
import { LeaderLock } from './leader-lock.js';
import { Mutex } from './mutex.js';
import { ReaderThread } from './reader-thread.js';
import { SpareGeneration, type Spare } from './spare-generation.js';
import { TaskHistory } from './task-history.js';

export interface ProjectorLogger {
  log(message: string, context?: string): void;
  warn(message: string, context?: string): void;
  error(message: string, context?: string): void;
}

export interface ProjectorOptions {
  readonly nc: NatsConnection;
  readonly topology: Topology;
  /**
   * NATS servers for a thread that reads and decodes the events stream over a
   * connection of its own, so this thread only folds and writes (a rebuild
   * then uses a second core). Without them, events are read through `nc` here.
   */
  readonly natsServers?: readonly string[];
  /** Postgres holding the projections. */
  readonly databaseUrl: string;
  /**
   * Schema of the views readers query; generations live in `<schema>_g<n>`.
   * @default the namespace (e.g. "cohort")
   */
  readonly schema?: string;
  /**
   * Most events applied in one transaction.
   * @default 500
   */
  readonly batchSize?: number;
  /**
   * How long a batch waits for more events once it has one.
   * @default 20
   */
  readonly batchLatencyMs?: number;
  /**
   * Most events in one transaction while catching up (a backlog, or a rebuild):
   * bigger batches spread each transaction's fixed cost over more events.
   * @default 5000
   */
  readonly catchUpBatchSize?: number;
  /**
   * Folded tasks kept in memory.
   * @default 10000
   */
  readonly cacheSize?: number;
  /**
   * Postgres connections of the projector.
   * @default 4
   */
  readonly poolSize?: number;
  /**
   * First wait after a failure (Postgres or NATS down), doubling up to `maxRetryDelayMs`.
   * @default 500
   */
  readonly retryDelayMs?: number;
  /** @default 15000 */
  readonly maxRetryDelayMs?: number;
  /**
   * How often a standby asks for the lock.
   * @default 2000
   */
  readonly standbyPollMs?: number;
  readonly logger?: ProjectorLogger;
  /** Called when this projector becomes the one applying events (e.g. to start serving commands). */
  readonly onActive?: () => Promise<void> | void;
  /** Called when it stops being it. */
  readonly onInactive?: () => Promise<void> | void;
}

/** The JSON published on `<ns>.projected` after each committed batch. */
export interface ProjectedNotification {
  /**
   * The checkpoint before this batch: a listener that last saw a position
   * below it missed a notification (core NATS does not keep them) and can
   * read what changed since (`ReadModel.tasksChangedAfter`).
   */
  readonly from: number;
  readonly position: number;
  readonly taskIds: readonly string[];
  readonly repoIds: readonly string[];
}

export interface ProjectorStatus {
  /** This replica holds the lock and applies events. */
  readonly active: boolean;
  /** Checkpoint of the live generation as this replica last saw it. */
  readonly checkpoint: number;
  readonly generation: number | undefined;
  /** The generation being rebuilt, if any. */
  readonly rebuilding: number | undefined;
  /** The last failure, cleared by the next committed batch. */
  readonly lastError: string | undefined;
}

export class RebuildUnavailable extends Error {
  override readonly name = 'RebuildUnavailable';
}

interface Term {
  readonly lock: LeaderLock;
  live: GenerationApplier;
  liveGeneration: Generation;
  readonly mutex: Mutex;
  rebuild: Rebuild | undefined;
  ended: boolean;
}

interface Rebuild {
  readonly generation: Generation;
  readonly done: Promise<void>;
  readonly retired: Promise<void>;
}

/** A rebuild under way, as `Projector.rebuild()` reports it. */
export interface RebuildStarted {
  readonly generation: number;
  /** Settles once readers read the new generation (rejects if the rebuild failed). */
  readonly done: Promise<void>;
  /** Settles once the generation it replaced is dropped, after `done`; never rejects. */
  readonly retired: Promise<void>;
}

const NOOP_LOGGER: ProjectorLogger = { log: () => undefined, warn: () => undefined, error: () => undefined };

/**
 * Projects the events stream into Postgres, exactly once in effect: each
 * batch's rows and checkpoint commit in one transaction, and events at or
 * below the checkpoint are skipped. One replica applies at a time (advisory
 * lock); the others wait as standbys. Failures are retried with backoff from
 * the stored checkpoint.
 */
export class Projector {
  private readonly base: string;
  private readonly batchSize: number;
  private readonly batchLatencyMs: number;
  private readonly catchUpBatchSize: number;
  private readonly cacheSize: number;
  private readonly log: ProjectorLogger;
  private readonly readerThread: ReaderThread | undefined;
  private readonly history: TaskHistory;
  private orm: MikroORM | undefined;
  private pool: Pool | undefined;
  private loop: Promise<void> | undefined;
  private stopping = false;
  private readonly stopController = new AbortController();
  private term: Term | undefined;
  private lastError: string | undefined;
  private lastCheckpoint = 0;
  private readonly committedListeners = new Set<(rows: ProjectedNotification) => void>();
  /** Work left running after a rebuild is done (dropping the old generation, closing its feed), awaited on stop. */
  private readonly background = new Set<Promise<void>>();
  /** A generation made ahead of the next rebuild. */
  private spares: SpareGeneration | undefined;
  /** Rebuilds start one at a time, so a second request finds the first and joins it. */
  private readonly starting = new Mutex();

  constructor(private readonly options: ProjectorOptions) {
    this.base = assertSchemaBase(options.schema ?? options.topology.namespace);
    this.batchSize = options.batchSize ?? 500;
    this.batchLatencyMs = options.batchLatencyMs ?? 20;
    this.catchUpBatchSize = Math.max(this.batchSize, options.catchUpBatchSize ?? 5000);
    this.cacheSize = options.cacheSize ?? 10_000;
    this.log = options.logger ?? NOOP_LOGGER;
    this.history = new TaskHistory(options.nc, options.topology);
    this.readerThread = options.natsServers?.length ? new ReaderThread({ servers: options.natsServers }) : undefined;
  }

  /** Starts projecting in the background; resolves once the database connection is set up. */
  async start(): Promise<void> {
    if (this.loop) return;
    this.orm = await openProjectionOrm({
      databaseUrl: this.options.databaseUrl,
      poolSize: this.options.poolSize,
      log: (message) => this.log.log(message, 'Migrations'),
    });
    this.pool = await this.orm.em.getConnection().getNativeClient();
    this.spares = new SpareGeneration(this.orm, this.pool, this.base, (message) => this.log.warn(message, 'Rebuild'));
    // Started now, not at the first feed: it takes a while, and a rebuild should not wait for it.
    this.readerThread?.start();
    this.loop = this.run();
  }

  async stop(): Promise<void> {
    this.stopping = true;
    this.stopController.abort();
    await this.loop;
    await Promise.all(this.background);
    await this.spares?.settled();
    await this.readerThread?.stop();
    await this.orm?.close(true);
  }

  status(): ProjectorStatus {
    const term = this.term;
    return {
      active: term !== undefined && !term.ended,
      checkpoint: term?.live.checkpoint ?? this.lastCheckpoint,
      generation: term?.liveGeneration.generation,
      rebuilding: term?.rebuild?.generation.generation,
      lastError: this.lastError,
    };
  }

  /** Called after each committed batch (in this process). */
  onCommitted(listener: (notification: ProjectedNotification) => void): () => void {
    this.committedListeners.add(listener);
    return () => this.committedListeners.delete(listener);
  }

  /**
   * Starts building a new generation from the start of the log; readers keep
   * reading the live one until the new one has caught up and is switched in.
   * Returns the generation being built (the one already being built, if any).
   */
  async rebuild(): Promise<RebuildStarted> {
    return this.starting.run(() => this.startRebuild());
  }

  private async startRebuild(): Promise<RebuildStarted> {
    const term = this.term;
    if (term === undefined || term.ended) throw new RebuildUnavailable('this projector is not the active one; ask again shortly');
    if (term.rebuild) return { generation: term.rebuild.generation.generation, done: term.rebuild.done, retired: term.rebuild.retired };
    // Reading starts now: with a reading thread, the first batches are decoded while the generation is made.
    const feed = this.rebuildFeed();
    let spare: Spare | undefined;
    let generation: Generation;
    try {
      spare = await this.spares!.claim();
      generation = spare?.generation ?? (await reserveGeneration(this.pool!, this.base, 'building'));
    } catch (error) {
      await feed.close().catch(() => undefined);
      throw error;
    }
    this.log.log(`rebuilding the projections into ${generation.schema}${spare ? ' (made ahead)' : ''}`, 'Rebuild');
    const switched = this.runRebuild(term, generation, feed, spare).finally(() => {
      term.rebuild = undefined;
    });
    const done = switched.then(() => undefined);
    done.catch((error: unknown) => this.log.error(`rebuild into ${generation.schema} failed: ${describe(error)}`, 'Rebuild'));
    // After the switch is reported, not before: dropping waits for readers still on the old tables. Then
    // the next rebuild's generation is made, out of this one's way.
    const retired = switched
      .then((old) => (old ? this.retire(old) : undefined))
      .catch(() => undefined)
      .finally(() => this.prepareSpare());
    this.inBackground(retired);
    term.rebuild = { generation, done, retired };
    return { generation: generation.generation, done, retired };
  }

  /** Has the next rebuild's generation made in the background, while this replica is the active one. */
  private prepareSpare(): void {
    if (!this.stopping && this.term !== undefined) this.spares?.prepare();
  }

  private async run(): Promise<void> {
    let delay = this.options.retryDelayMs ?? 500;
    const maxDelay = this.options.maxRetryDelayMs ?? 15_000;
    while (!this.stopping) {
      let progressed = false;
      try {
        progressed = await this.serveTerm(() => {
          delay = this.options.retryDelayMs ?? 500;
        });
      } catch (error) {
        this.lastError = describe(error);
        this.log.error(`projection stopped: ${this.lastError}; retrying from the stored checkpoint in ${delay} ms`, 'Projector');
      }
      if (this.stopping) break;
      if (!progressed) {
        await sleep(delay, undefined, { signal: this.stopController.signal }).catch(() => undefined);
        delay = Math.min(delay * 2, maxDelay);
      }
    }
  }

  /** One tenure: wait for the lock, then apply until stopped or something fails. Returns false when it never got the lock. */
  private async serveTerm(onProgress: () => void): Promise<boolean> {
    const lockName = `cohort-projector:${this.base}`;
    let lock: LeaderLock | undefined;
    let standbyLogged = false;
    while (!this.stopping) {
      lock = await LeaderLock.tryAcquire(this.options.databaseUrl, lockName);
      if (lock) break;
      if (!standbyLogged) this.log.log('another projector is active; waiting as standby', 'Projector');
      standbyLogged = true;
      await sleep(this.options.standbyPollMs ?? 2000, undefined, { signal: this.stopController.signal }).catch(() => undefined);
    }
    if (!lock) return false;
    const pool = this.pool!;
    let feed: EventFeed | undefined;
    let term: Term | undefined;
    try {
      const live = await this.prepareLiveGeneration(pool);
      const applier = new GenerationApplier({ pool, schema: live.schema, history: this.history, cacheSize: this.cacheSize });
      const from = await applier.load();
      term = { lock, live: applier, liveGeneration: live, mutex: new Mutex(), rebuild: undefined, ended: false };
      this.term = term;
      this.lastCheckpoint = from;
      this.log.log(`active: projecting ${this.options.topology.streams.events} into ${live.schema} from position ${from}`, 'Projector');
      this.prepareSpare();
      // Postgres answers again and the checkpoint is loaded: healthy now, even
      // if no new event arrives to be applied.
      if (this.lastError !== undefined) {
        this.log.log(`recovered from: ${this.lastError}`, 'Projector');
        this.lastError = undefined;
      }
      await this.options.onActive?.();
      feed = new EventFeed({
        nc: this.options.nc,
        topology: this.options.topology,
        fromPosition: from,
        bufferSize: this.catchUpBatchSize * 2,
        thread: this.readerThread,
      });
      while (!this.stopping) {
        if (lock.lost) throw new Error(`lost the projector lock: ${lock.lost}`);
        await feed.waitFor(1, 250);
        if (feed.buffered === 0) {
          feed.take(0); // surfaces a read failure
          continue;
        }
        await feed.waitFor(this.batchSize, this.batchLatencyMs);
        const items = feed.take(feed.buffered > this.batchSize ? this.catchUpBatchSize : this.batchSize);
        const current = term;
        const rows = await term.mutex.run(() => current.live.apply(items));
        this.lastCheckpoint = term.live.checkpoint;
        onProgress();
        if (rows) this.notify(rows);
      }
      return true;
    } finally {
      if (term) term.ended = true;
      await feed?.close().catch(() => undefined);
      await term?.rebuild?.done.catch(() => undefined);
      this.term = undefined;
      if (term) await Promise.resolve(this.options.onInactive?.()).catch(() => undefined);
      await lock.release();
    }
  }

  /** Makes sure a live generation exists, is migrated and is what the views show; drops unfinished rebuilds. */
  private async prepareLiveGeneration(pool: Pool): Promise<Generation> {
    await ensureControlSchema(pool, this.base);
    // One made by an earlier term may be from another version of the schema: made again once active.
    await this.spares!.discard();
    const generations = await listGenerations(pool, this.base);
    for (const unfinished of generations.filter((g) => g.status === 'building')) {
      this.log.warn(`dropping ${unfinished.schema}: a rebuild into it did not finish`, 'Projector');
      await dropGeneration(pool, this.base, unfinished);
    }
    let live = generations.filter((g) => g.status === 'live').at(-1);
    if (live === undefined) {
      live = await createGeneration(this.orm!, pool, this.base, 'live');
      this.log.log(`created ${live.schema}`, 'Projector');
    } else {
      await migrateLiveGeneration(this.orm!, pool, this.base, live.schema);
    }
    const schema = live.schema;
    await inTransaction(pool, async (client) => {
      await client.query(`UPDATE "${this.base}".projection_generations SET live_at = coalesce(live_at, now()) WHERE generation = $1`, [
        live.generation,
      ]);
      await pointViewsAt(client, this.base, schema);
    });
    return live;
  }

  /** The whole log, from its first event, for a rebuild. */
  private rebuildFeed(): EventFeed {
    return new EventFeed({
      nc: this.options.nc,
      topology: this.options.topology,
      fromPosition: 0,
      bufferSize: this.catchUpBatchSize * 2,
      thread: this.readerThread,
    });
  }

  private async runRebuild(term: Term, generation: Generation, feed: EventFeed, spare: Spare | undefined): Promise<Generation | undefined> {
    const pool = this.pool!;
    const started = performance.now();
    // Milliseconds from the start to each step, for the log line at the end.
    const steps: Record<string, number> = {};
    const step = (name: string) => (steps[name] ??= Math.round(performance.now() - started));
    // The tables are made (unless made ahead), without their secondary indexes, while the first batches are built.
    const setUp = spare
      ? Promise.resolve(spare.deferredIndexes)
      : setUpGeneration(this.orm!, pool, this.base, generation, { deferIndexes: true, durable: false });
    const tablesReady = setUp.then(() => void step('tables'));
    tablesReady.catch(() => undefined);
    // Nobody reads a generation before the switch, so its batches need not wait for the disk: a crash
    // loses rows and checkpoint together and the rebuild starts over. The switch itself is durable.
    const builder = new GenerationApplier({
      pool,
      schema: generation.schema,
      history: this.history,
      cacheSize: this.cacheSize,
      durable: false,
      tablesReady,
    });
    let switched = false;
    let retired: Generation | undefined;
    let deferredIndexes: string[] = [];
    // The batch being written while the next one is built: one commit at a time, in order.
    let writing: Promise<void> | undefined = setUp.then((deferred) => {
      deferredIndexes = deferred;
    });
    writing.catch(() => undefined);
    const written = async () => {
      const commit = writing;
      writing = undefined;
      await commit;
    };
    try {
      while (!switched) {
        if (term.ended || this.stopping) throw new Error('the projector stopped being active before the rebuild finished');
        const target = term.live.checkpoint;
        const next = feed.nextPosition();
        const caughtUp = builder.prepared >= target || (next !== undefined && next > target);
        if (caughtUp) await written();
        if (caughtUp && deferredIndexes.length > 0) {
          // Outside the live projector's lock, which would otherwise wait for the index builds;
          // the events appended meanwhile are applied with the indexes in place.
          step('caught up');
          await createIndexes(pool, deferredIndexes);
          step('indexed');
          deferredIndexes = [];
          continue;
        }
        if (caughtUp) {
          switched = await term.mutex.run(async () => {
            // Under the live projector's lock: its checkpoint cannot move while we compare and switch.
            const live = term.live.checkpoint;
            const upcoming = feed.nextPosition();
            if (builder.checkpoint < live && (upcoming === undefined || upcoming <= live)) return false;
            await builder.advanceTo(live);
            retired = await this.switchTo(term, builder, generation);
            step('switched');
            return true;
          });
          if (switched) break;
        }
        await feed.waitFor(1, 100);
        // A full batch if the log has one: the first events arrive before the rest of the backlog.
        if (feed.buffered > 0) await feed.waitFor(this.catchUpBatchSize, this.batchLatencyMs);
        const items = feed.take(this.catchUpBatchSize, target);
        if (items.length === 0) {
          feed.take(0);
          continue;
        }
        const batch = await builder.prepare(items);
        await written();
        if (batch) {
          step('first batch built');
          writing = builder.commit(batch).then(() => void step('first batch written'));
          // Awaited before the next commit; handled here so a failure while the next batch is built is not "unhandled".
          writing.catch(() => undefined);
        }
      }
    } finally {
      await writing?.catch(() => undefined);
      await tablesReady.catch(() => undefined);
      // Once readers are switched, the rebuild is done: the feed stops reading meanwhile.
      const closing = feed.close().catch(() => undefined);
      if (switched) this.inBackground(closing);
      else await closing;
      if (!switched) await dropGeneration(pool, this.base, generation).catch(() => undefined);
    }
    this.log.log(
      `rebuilt ${generation.schema} up to position ${builder.checkpoint} in ${Math.round(performance.now() - started)} ms and switched readers to it ` +
        `(ms from the start: ${Object.entries(steps)
          .map(([name, ms]) => `${name} ${ms}`)
          .join(', ')})`,
      'Rebuild',
    );
    return retired;
  }

  private inBackground(work: Promise<void>): void {
    this.background.add(work);
    void work.finally(() => this.background.delete(work));
  }

  /** Drops a generation readers were switched away from; a failure leaves it for an operator, with a warning. */
  private async retire(old: Generation): Promise<void> {
    await dropGeneration(this.pool!, this.base, old).catch((error: unknown) =>
      this.log.warn(`could not drop ${old.schema} after the switch: ${describe(error)}`, 'Rebuild'),
    );
  }

  /** Points readers at the new generation and makes it the live one; returns the one it replaced. */
  private async switchTo(term: Term, builder: GenerationApplier, generation: Generation): Promise<Generation> {
    const pool = this.pool!;
    const old = term.liveGeneration;
    await inTransaction(pool, async (client) => {
      await pointViewsAt(client, this.base, generation.schema);
      await client.query(`UPDATE "${this.base}".projection_generations SET status = 'retired' WHERE generation = $1`, [old.generation]);
      await client.query(`UPDATE "${this.base}".projection_generations SET status = 'live', live_at = now() WHERE generation = $1`, [
        generation.generation,
      ]);
    });
    builder.durable = true;
    term.live = builder;
    term.liveGeneration = { ...generation, status: 'live' };
    this.notify({ from: builder.checkpoint, lastPosition: builder.checkpoint, taskIds: [], repoIds: [] });
    return old;
  }

  private notify(rows: AppliedBatch): void {
    const notification: ProjectedNotification = {
      from: rows.from,
      position: rows.lastPosition,
      taskIds: rows.taskIds,
      repoIds: rows.repoIds,
    };
    if (!this.options.nc.isClosed()) this.options.nc.publish(this.options.topology.projected, JSON.stringify(notification));
    for (const listener of this.committedListeners) listener(notification);
  }
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
