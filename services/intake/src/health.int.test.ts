import { afterEach, describe, expect, it } from 'vitest';
import { freePort, natsTestContext, type NatsTestContext } from '@cohort/testing';
import { startIntake, type RunningService } from './start-intake.js';

let ctx: NatsTestContext | undefined;
let service: RunningService | undefined;
afterEach(async () => {
  await service?.close();
  await ctx?.dispose();
});

describe('intake health endpoints', () => {
  it('is alive and ready while NATS is connected, and not ready once closing', async () => {
    ctx = await natsTestContext({ label: 'intakehealth' });
    const port = await freePort();
    service = await startIntake(
      {
        natsUrl: ctx.url,
        namespace: ctx.topology.namespace,
        healthPort: port,
        defaultAgent: 'scripted',
        maxRetries: 3,
        maxAutoResumes: 10,
        inboxMaxDeliveries: 5,
        retryDelayMs: 1000,
      },
      { logger: { log: () => undefined, warn: () => undefined, error: () => undefined } },
    );
    expect(service.healthPort).toBe(port);
    const live = await fetch(`http://127.0.0.1:${port}/healthz`);
    expect(live.status).toBe(200);
    const ready = await fetch(`http://127.0.0.1:${port}/readyz`);
    expect(ready.status).toBe(200);
    expect(((await ready.json()) as { checks: Record<string, { ok: boolean }> }).checks.nats?.ok).toBe(true);
    await service.close();
    await expect(fetch(`http://127.0.0.1:${port}/healthz`)).rejects.toThrow();
    service = undefined;
  });
});
