import { describe, expect, it } from 'vitest';
import { connect } from '@nats-io/transport-node';
import { natsUrl } from '@cohort/testing';
import { natsReadiness } from './nats-readiness.js';

describe('natsReadiness', () => {
  it('is ready with the round-trip time while connected, and fails once the connection is closed', async () => {
    const nc = await connect({ servers: natsUrl() });
    expect(await natsReadiness(nc)).toMatch(/^connected to .+ \(rtt \d+ ms\)$/);
    await nc.close();
    await expect(natsReadiness(nc)).rejects.toThrow('NATS connection closed');
  });
});
