import { afterEach, describe, expect, it } from 'vitest';
import { CommandErrorCode, CreateTaskSchema, TaskKind } from '@cohort/contracts';
import { CommandClient } from '@cohort/messaging';
import { natsTestContext, spawnService, waitFor, type NatsTestContext, type SpawnedService } from '@cohort/testing';

const ENTRY = 'services/intake/src/main.ts';
let ctx: NatsTestContext | undefined;
let service: SpawnedService | undefined;

afterEach(async () => {
  await service?.stop('SIGKILL');
  await ctx?.dispose();
  service = ctx = undefined;
});

describe('intake as a process', () => {
  it('serves commands, logs JSON lines, and exits 0 on SIGTERM', async () => {
    ctx = await natsTestContext({ label: 'intakemain' });
    service = spawnService(ENTRY, { NATS_URL: ctx.url, COHORT_NAMESPACE: ctx.topology.namespace, HEALTH_PORT: '0' });
    const client = new CommandClient(ctx.nc, ctx.topology, { timeoutMs: 500 });
    const reply = await waitFor(
      'intake to answer CreateTask',
      async () => {
        const result = await client.send('intake', 'CreateTask', CreateTaskSchema, {
          kind: TaskKind.STANDALONE,
          title: 'Report',
          prompt: 'Write it',
        });
        return result.ok || result.error.code !== CommandErrorCode.UNAVAILABLE ? result : undefined;
      },
      30_000,
      200,
    );
    expect(reply.ok).toBe(true);
    expect(await service.stop('SIGTERM')).toBe(0);
    const lines = service.output().trim().split('\n');
    expect(lines.length).toBeGreaterThan(0);
    for (const line of lines) expect(() => JSON.parse(line) as unknown).not.toThrow();
    expect(service.output()).toContain('"service":"intake"');
  });

  it('refuses to start with invalid configuration, naming every variable at fault', async () => {
    service = spawnService(ENTRY, { HEALTH_PORT: 'eighty', COHORT_NAMESPACE: 'Bad-Name' });
    expect(await service.exited).toBe(1);
    expect(service.output()).toContain('HEALTH_PORT');
    expect(service.output()).toContain('COHORT_NAMESPACE');
  });
});
