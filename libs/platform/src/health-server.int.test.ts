import { afterEach, describe, expect, it } from 'vitest';
import { HealthServer } from './health-server.js';

describe('HealthServer', () => {
  let server: HealthServer | undefined;
  afterEach(() => server?.close());

  it('answers liveness always and readiness from its checks, failing once draining', async () => {
    let natsUp = true;
    server = new HealthServer('scheduler', {
      nats: () => {
        if (!natsUp) throw new Error('NATS connection closed');
        return 'connected';
      },
    });
    const port = await server.listen(0, '127.0.0.1');
    const get = async (path: string) => {
      const res = await fetch(`http://127.0.0.1:${port}${path}`);
      return { code: res.status, body: (await res.json()) as { checks: Record<string, { ok: boolean; detail: string }> } };
    };
    expect(await get('/healthz')).toEqual({ code: 200, body: { status: 'ok', service: 'scheduler' } });
    expect((await get('/readyz')).code).toBe(200);
    natsUp = false;
    const down = await get('/readyz');
    expect(down.code).toBe(503);
    expect(down.body.checks.nats).toEqual({ ok: false, detail: 'NATS connection closed' });
    natsUp = true;
    server.markDraining();
    expect((await get('/readyz')).body.checks.shutdown?.ok).toBe(false);
    expect((await get('/nope')).code).toBe(404);
  });
});
