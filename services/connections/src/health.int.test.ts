import { randomBytes } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { freePort, natsTestContext, type NatsTestContext } from '@cohort/testing';
import { startConnections, type RunningService } from './start-connections.js';

let ctx: NatsTestContext | undefined;
let service: RunningService | undefined;
afterEach(async () => {
  await service?.close();
  await ctx?.dispose();
});

describe('connections health endpoints', () => {
  it('is alive and ready while NATS is connected, and stops serving on close', async () => {
    ctx = await natsTestContext({ label: 'connhealth' });
    const port = await freePort();
    service = await startConnections(
      { natsUrl: ctx.url, namespace: ctx.topology.namespace, healthPort: port, secretsKey: randomBytes(32) },
      { logger: { log: () => undefined, warn: () => undefined, error: () => undefined } },
    );
    expect(service.healthPort).toBe(port);
    expect((await fetch(`http://127.0.0.1:${port}/healthz`)).status).toBe(200);
    const ready = await fetch(`http://127.0.0.1:${port}/readyz`);
    expect(ready.status).toBe(200);
    expect(((await ready.json()) as { checks: Record<string, { ok: boolean }> }).checks.nats?.ok).toBe(true);
    await service.close();
    service = undefined;
    await expect(fetch(`http://127.0.0.1:${port}/readyz`)).rejects.toThrow();
  });
});
