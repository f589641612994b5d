import type { NatsConnection } from '@nats-io/transport-node';

/**
 * A readiness check for HealthServer: ready while the connection is open and
 * the server answers a round trip within `timeoutMs`.
 */
export async function natsReadiness(nc: NatsConnection, timeoutMs = 2000): Promise<string> {
  if (nc.isClosed()) throw new Error('NATS connection closed');
  let timer: NodeJS.Timeout | undefined;
  const rtt = await Promise.race([
    nc.rtt(),
    new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`NATS did not answer within ${timeoutMs} ms`)), timeoutMs);
      timer.unref();
    }),
  ]).finally(() => clearTimeout(timer));
  return `connected to ${nc.getServer()} (rtt ${rtt} ms)`;
}
