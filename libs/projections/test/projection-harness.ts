import { jetstreamManager } from '@nats-io/jetstream';
import pg from 'pg';
import { JetStreamEventStore, ensureEventStream } from '@cohort/eventstore';
import { createTestDatabase, natsTestContext, waitFor, type NatsTestContext, type TestDatabase } from '@cohort/testing';
import { Projector, type ProjectorOptions } from '../src/index.js';
import type { AggregateHistory } from './sample-lifecycles.js';

/** A namespace, a database and a projector between them; everything disposed at the end. */
export class ProjectionHarness {
  private readonly projectors = new Set<Projector>();
  readonly logs: string[] = [];

  private constructor(
    readonly ctx: NatsTestContext,
    readonly db: TestDatabase,
    readonly store: JetStreamEventStore,
    readonly pool: pg.Pool,
  ) {}

  static async create(label: string): Promise<ProjectionHarness> {
    const ctx = await natsTestContext({ label });
    await ensureEventStream(await jetstreamManager(ctx.nc), ctx.topology);
    const db = await createTestDatabase(label);
    const store = await JetStreamEventStore.create({ nc: ctx.nc, topology: ctx.topology });
    const pool = new pg.Pool({ connectionString: db.url, max: 3 });
    pool.on('error', () => undefined);
    return new ProjectionHarness(ctx, db, store, pool);
  }

  /** The schema readers query (the namespace). */
  get schema(): string {
    return this.ctx.topology.namespace;
  }

  async append(...histories: AggregateHistory[]): Promise<number> {
    let position = 0;
    for (const h of histories) position = (await this.store.append(h.aggregate, h.events, { expectedVersion: 'any' })).position;
    return position;
  }

  async startProjector(options: Partial<ProjectorOptions> = {}): Promise<Projector> {
    const projector = new Projector({
      nc: this.ctx.nc,
      topology: this.ctx.topology,
      databaseUrl: this.db.url,
      natsServers: [this.ctx.url],
      retryDelayMs: 100,
      maxRetryDelayMs: 500,
      standbyPollMs: 200,
      logger: {
        log: (m) => this.logs.push(`log ${m}`),
        warn: (m) => this.logs.push(`warn ${m}`),
        error: (m) => this.logs.push(`error ${m}`),
      },
      ...options,
    });
    this.projectors.add(projector);
    await projector.start();
    return projector;
  }

  async stopProjector(projector: Projector): Promise<void> {
    this.projectors.delete(projector);
    await projector.stop();
  }

  /** Waits until the live checkpoint the readers see reaches `position`. */
  async waitForCheckpoint(position: number, timeoutMs = 20_000): Promise<void> {
    await waitFor(
      `checkpoint ${position}`,
      async () => ((await this.checkpoint().catch(() => -1)) >= position ? true : undefined),
      timeoutMs,
      50,
    );
  }

  async checkpoint(): Promise<number> {
    const result = await this.pool.query<{ position: string }>(
      `SELECT position FROM "${this.schema}".projection_checkpoint WHERE id = 'live'`,
    );
    return Number(result.rows[0]?.position ?? 0);
  }

  async rows<T = Record<string, unknown>>(table: string, orderBy: string, schema = this.schema): Promise<T[]> {
    return (await this.pool.query(`SELECT * FROM "${schema}"."${table}" ORDER BY ${orderBy}`)).rows as T[];
  }

  async dispose(): Promise<void> {
    for (const projector of this.projectors) await projector.stop().catch(() => undefined);
    await this.pool.end().catch(() => undefined);
    await this.db.dispose().catch(() => undefined);
    await this.ctx.dispose();
  }
}
