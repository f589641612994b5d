import { existsSync, readFileSync, rmSync } from 'node:fs';
import type { CliConfig } from '../config.js';
import { localNatsPaths, stopLocalNats } from '../local-nats.js';
import { upPidFile } from './up.js';

/** Stops the services of a running `up`, then the nats-server `up` started, if any. */
export async function runDown(config: CliConfig, say: (line: string) => void): Promise<void> {
  const pidFile = upPidFile(config);
  if (existsSync(pidFile)) {
    const pid = Number.parseInt(readFileSync(pidFile, 'utf8'), 10);
    if (signal(pid, 'SIGTERM')) {
      for (let i = 0; i < 200 && signal(pid, 0); i++) await new Promise((resolve) => setTimeout(resolve, 100));
      say('services  stopped');
    }
    rmSync(pidFile, { force: true });
  }
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
