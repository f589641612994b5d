import { randomBytes } from 'node:crypto';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { jetstreamManager } from '@nats-io/jetstream';
import { topology, type Topology } from '@cohort/contracts';
import { natsUrl } from './env.js';

/**
 * A NATS connection plus a namespace of its own: every stream, subject and
 * bucket the test touches is prefixed with it, so tests run in parallel on one
 * server without seeing each other. `dispose()` deletes what the namespace made.
 */
export interface NatsTestContext extends AsyncDisposable {
  readonly nc: NatsConnection;
  readonly topology: Topology;
  readonly url: string;
  dispose(): Promise<void>;
}

export function uniqueNamespace(label = 't'): string {
  const safe =
    label
      .toLowerCase()
      .replace(/[^a-z0-9]/g, '')
      .slice(0, 12) || 't';
  return `${/^[a-z]/.test(safe) ? safe : `t${safe}`}_${randomBytes(5).toString('hex')}`;
}

export async function natsTestContext(options: { label?: string; url?: string } = {}): Promise<NatsTestContext> {
  const url = options.url ?? natsUrl();
  const nc = await connect({ servers: url, name: `test-${options.label ?? 'ctx'}` });
  const tp = topology(uniqueNamespace(options.label));
  const dispose = async () => {
    if (nc.isClosed()) return;
    await deleteNamespace(nc, tp);
    await nc.close();
  };
  return { nc, topology: tp, url, dispose, [Symbol.asyncDispose]: dispose };
}

/** Deletes every stream (including KV buckets' streams) whose name starts with the namespace. */
export async function deleteNamespace(nc: NatsConnection, tp: Topology): Promise<void> {
  const jsm = await jetstreamManager(nc);
  const prefix = tp.namespace.toUpperCase() + '_';
  const names: string[] = [];
  for await (const name of jsm.streams.names()) {
    if (name.startsWith(prefix) || name.startsWith(`KV_${prefix}`) || name.startsWith(`OBJ_${prefix}`)) names.push(name);
  }
  await Promise.all(names.map((name) => jsm.streams.delete(name).catch(() => false)));
}
