import { connect } from '@nats-io/transport-node';
import { failed, passed, type CheckResult } from './check.js';
import { compareVersions, MINIMUM_NATS_SERVER } from './versions.js';

const INSTALL_HINT =
  'start one with `nats-server -js` (Debian: apt-get install nats-server), or let `./cohort up` start it, or point NATS_URL at yours';

/** NATS reachable, JetStream enabled, server recent enough. */
export async function checkNats(url: string): Promise<CheckResult[]> {
  let nc;
  try {
    nc = await connect({ servers: url, reconnect: false, timeout: 2000, name: 'cohort-doctor' });
  } catch (error) {
    return [failed('nats', `cannot reach NATS at ${url}: ${(error as Error).message}`, INSTALL_HINT)];
  }
  try {
    const version = nc.info?.version ?? '0.0.0';
    const results: CheckResult[] = [];
    results.push(
      compareVersions(version, MINIMUM_NATS_SERVER) >= 0
        ? passed('nats', `NATS ${version} at ${url}`)
        : failed('nats', `NATS ${version} at ${url} is older than ${MINIMUM_NATS_SERVER}`, 'upgrade nats-server to 2.9 or newer'),
    );
    try {
      const reply = await nc.request('$JS.API.INFO', undefined, { timeout: 2000 });
      const info = reply.json<{ error?: { description?: string }; streams?: number }>();
      results.push(
        info.error
          ? failed('jetstream', `JetStream answered: ${info.error.description ?? 'error'}`, 'enable JetStream: start nats-server with -js')
          : passed('jetstream', `JetStream enabled (${info.streams ?? 0} streams)`),
      );
    } catch {
      results.push(failed('jetstream', 'JetStream is not enabled on this server', 'start nats-server with -js (JetStream)'));
    }
    return results;
  } finally {
    await nc.close();
  }
}
