import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { jetstreamManager } from '@nats-io/jetstream';
import { JetStreamEventStore, ensureEventStream } from '@cohort/eventstore';
import { PostgresReadModel, requestRebuild } from '@cohort/projections';
import { createTestDatabase, freePort, natsTestContext, waitFor, type NatsTestContext, type TestDatabase } from '@cohort/testing';
import { taskHistory, ticker } from '../../../libs/projections/test/sample-lifecycles.js';
import { readProjectorConfig } from './config.js';
import { startProjector, type RunningService } from './start-projector.js';

describe('projector service', () => {
  let ctx: NatsTestContext;
  let db: TestDatabase;
  let service: RunningService | undefined;
  beforeEach(async () => {
    ctx = await natsTestContext({ label: 'projsvc' });
    await ensureEventStream(await jetstreamManager(ctx.nc), ctx.topology);
    db = await createTestDatabase('projsvc');
  });
  afterEach(async () => {
    await service?.close();
    await db.dispose();
    await ctx.dispose();
  });

  it('projects events, reports health with its lag, rebuilds on RebuildProjections, and stops cleanly', async () => {
    const port = await freePort();
    const config = readProjectorConfig({
      DATABASE_URL: db.url,
      NATS_URL: ctx.url,
      COHORT_NAMESPACE: ctx.topology.namespace,
      HEALTH_PORT: String(port),
    });
    const logged: { message: unknown; context: unknown }[] = [];
    const keep = (message: unknown, ...rest: unknown[]) => void logged.push({ message, context: rest.at(-1) });
    service = await startProjector(config, { logger: { log: keep, warn: keep, error: keep } });
    const store = await JetStreamEventStore.create({ nc: ctx.nc, topology: ctx.topology });
    const at = ticker(new Date('2026-07-01T08:00:00Z'));
    const h = taskHistory('svc-1', 'acme-web', 'merged', at);
    const { position } = await store.append(h.aggregate, h.events, { expectedVersion: 0 });
    const reads = new PostgresReadModel({ databaseUrl: db.url, nc: ctx.nc, topology: ctx.topology });
    try {
      await reads.waitFor(position, 15_000);
      expect((await reads.task('svc-1'))?.state).toBe('completed');
      const ready = await fetch(`http://127.0.0.1:${port}/readyz`);
      const report = (await ready.json()) as { checks: Record<string, { ok: boolean; detail: string }> };
      expect(ready.status).toBe(200);
      expect(report.checks.postgres?.ok).toBe(true);
      expect(report.checks.projection?.detail).toMatch(/generation \d+, checkpoint \d+, lag 0 events/);

      const rebuild = await requestRebuild(ctx.nc, ctx.topology);
      if (!rebuild.ok) throw new Error(`the rebuild was refused: ${rebuild.message}`);
      expect(rebuild).toMatchObject({ position });
      expect(rebuild.generation).toBeGreaterThan(1);
      await waitFor(
        `generation ${rebuild.generation} live`,
        () => (service!.runner.projector.status().generation === rebuild.generation ? true : undefined),
        15_000,
      );
      expect((await reads.task('svc-1'))?.state).toBe('completed');
      // The projection's own contexts reach the service's log.
      expect(logged).toContainEqual({ message: expect.stringMatching(/^rebuilt .* and switched readers to it/), context: 'Rebuild' });
    } finally {
      await reads.close();
    }
    await service.close();
    service = undefined;
    await expect(fetch(`http://127.0.0.1:${port}/healthz`)).rejects.toThrow();
  });

  it('refuses to start without DATABASE_URL, naming the variable', () => {
    expect(() => readProjectorConfig({ COHORT_NAMESPACE: 'cohort' })).toThrow(/DATABASE_URL is not set/);
    expect(() => readProjectorConfig({ DATABASE_URL: 'mysql://x', PROJECTOR_BATCH_SIZE: '0' })).toThrow(/DATABASE_URL must be a postgres/);
  });
});
