import { existsSync, readFileSync, rmSync } from 'node:fs';
import type { CliConfig } from '../config.js';
import { localNatsPaths, stopLocalNats } from '../local-nats.js';
import { embeddedPostgresPaths, stopEmbeddedPostgres } from '../postgres/embedded-postgres.js';
import { upPidFile, upReportFile } from './up.js';

/**
 * Stops the services of a running `up`, then what `up` started for them: the
 * embedded PostgreSQL once no service holds a connection, NATS last.
 */
export async function runDown(config: CliConfig, say: (line: string) => void): Promise<void> {
  const pidFile = upPidFile(config);
  if (existsSync(pidFile)) {
    const pid = Number.parseInt(readFileSync(pidFile, 'utf8'), 10);
    if (signal(pid, 'SIGTERM')) {
      for (let i = 0; i < 200 && signal(pid, 0); i++) await new Promise((resolve) => setTimeout(resolve, 100));
      say('services  stopped');
    }
    rmSync(pidFile, { force: true });
    rmSync(upReportFile(config), { force: true });
  }
  say(
    (await stopEmbeddedPostgres(embeddedPostgresPaths(config.dataDir)))
      ? 'postgres  stopped the embedded PostgreSQL started by up (data kept in pgdata)'
      : 'postgres  no embedded PostgreSQL of up is running',
  );
  say(
    stopLocalNats(localNatsPaths(config.dataDir))
      ? 'nats      stopped the nats-server started by up'
      : 'nats      nothing started by up is running',
  );
}

function signal(pid: number, sig: NodeJS.Signals | 0): boolean {
  try {
    process.kill(pid, sig);
    return true;
  } catch {
    return false;
  }
}
