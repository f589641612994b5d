import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { randomUUID } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { create, ForgeKind, RepoRegisteredSchema } from '@cohort/contracts';
import { JetStreamEventStore } from '@cohort/eventstore';
import { gitSync, natsTestContext, spawnService, waitFor, type NatsTestContext, type SpawnedService } from '@cohort/testing';
import { originRepo, runScheduled, taskCreated } from '../test/harness.js';

let ctx: NatsTestContext | undefined;
let service: SpawnedService | undefined;
let dir: string | undefined;
afterEach(async () => {
  await service?.stop('SIGKILL');
  await ctx?.dispose();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('pod-manager as a process', () => {
  it('reports its health port, provisions a run, serves workspace health on /readyz and exits 0 on SIGTERM', async () => {
    ctx = await natsTestContext({ label: 'podmain' });
    dir = mkdtempSync(join(tmpdir(), 'pod-manager-main-'));
    const { origin, mainSha } = originRepo(dir);
    service = spawnService('services/pod-manager/src/main.ts', {
      NATS_URL: ctx.url,
      COHORT_NAMESPACE: ctx.topology.namespace,
      COHORT_DATA_DIR: join(dir, 'data'),
      HEALTH_PORT: '0',
      POD_MANAGER_HEALTH_CHECK_INTERVAL_MS: '200',
    });
    const port = await waitFor('the health port in the start-up log', () => /health on :(\d+)/.exec(service!.output())?.[1], 20_000);

    const store = await JetStreamEventStore.create({ nc: ctx.nc, topology: ctx.topology });
    await store.append(
      { type: 'repo', id: 'demo' },
      [
        {
          id: randomUUID(),
          type: 'RepoRegistered',
          data: create(RepoRegisteredSchema, {
            repoId: 'demo',
            settings: { name: 'demo', url: origin, forge: ForgeKind.LOCAL, defaultBranch: 'main' },
          }),
        },
      ],
      { expectedVersion: 'any' },
    );
    const taskId = `t-${randomUUID().slice(0, 8)}`;
    await store.append({ type: 'task', id: taskId }, [taskCreated(taskId, 'demo'), runScheduled(taskId, `${taskId}-r1`)], {
      expectedVersion: 'any',
    });
    const ready = await waitFor('WorkspaceReady', async () =>
      (await store.read({ type: 'task', id: taskId })).events.find((e) => e.type === 'WorkspaceReady'),
    );
    if (ready.type !== 'WorkspaceReady') throw new Error('unreachable');
    expect(ready.data.baseSha).toBe(mainSha);
    expect(gitSync(ready.data.path, 'rev-parse', '--abbrev-ref', 'HEAD')).toBe(`cohort/${taskId}`);

    const readiness = await waitFor('a workspace health report on /readyz', async () => {
      const response = await fetch(`http://127.0.0.1:${port}/readyz`);
      const body = (await response.json()) as { checks: Record<string, { ok: boolean; detail?: string }> };
      return response.status === 200 && JSON.stringify(body.checks.workspaces).includes('1 healthy') ? body : undefined;
    });
    expect(readiness.checks.nats?.ok).toBe(true);

    expect(await service.stop('SIGTERM')).toBe(0);
    expect(existsSync(ready.data.path)).toBe(true); // a restart must not lose the run's workspace
    service = undefined;
  });
});
