import type { CliConfig } from '../config.js';
import { isNatsReachable, localNatsPaths, startLocalNats } from '../local-nats.js';
import { checkPostgres } from '../doctor/check-postgres.js';
import { provisionStreams } from '../provision-streams.js';

export interface UpReport {
  readonly nats: { readonly url: string; readonly startedPid?: number };
  readonly streams: readonly string[];
  readonly postgres: { readonly ok: boolean; readonly detail: string };
}

/**
 * Brings up the infrastructure of the embedded default: NATS with JetStream at
 * NATS_URL, or a local nats-server with its data under the data dir, and the
 * streams of the namespace.
 */
export async function runUp(config: CliConfig, say: (line: string) => void): Promise<UpReport> {
  let startedPid: number | undefined;
  if (await isNatsReachable(config.natsUrl)) {
    say(`nats      using ${config.natsUrl}`);
  } else {
    startedPid = await startLocalNats(config.natsUrl, localNatsPaths(config.dataDir));
    say(`nats      started nats-server -js (pid ${startedPid}) at ${config.natsUrl}, data in ${config.dataDir}/nats`);
  }
  const streams = await provisionStreams(config.natsUrl, config.namespace);
  say(`streams   ${streams.join(', ')}`);
  const pg = await checkPostgres(config.databaseUrl);
  say(pg.ok ? `postgres  ${pg.detail}` : `postgres  not reachable (${pg.detail}); the read side needs it`);
  return { nats: { url: config.natsUrl, ...(startedPid ? { startedPid } : {}) }, streams, postgres: { ok: pg.ok, detail: pg.detail } };
}
