import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { connect } from '@nats-io/transport-node';

/** A nats-server that `cohort up` starts when nothing answers at NATS_URL; its data lives under the data dir. */
export interface LocalNatsPaths {
  readonly storeDir: string;
  readonly pidFile: string;
  readonly logFile: string;
}

export function localNatsPaths(dataDir: string): LocalNatsPaths {
  return { storeDir: join(dataDir, 'nats'), pidFile: join(dataDir, 'nats-server.pid'), logFile: join(dataDir, 'logs', 'nats-server.log') };
}

export async function isNatsReachable(url: string): Promise<boolean> {
  try {
    const nc = await connect({ servers: url, reconnect: false, timeout: 1000 });
    await nc.close();
    return true;
  } catch {
    return false;
  }
}

export class NatsBinaryMissing extends Error {
  constructor(binary: string) {
    super(
      `no NATS answers and "${binary}" cannot be started. Install it (Debian/Ubuntu: sudo apt-get install nats-server; ` +
        'or download from the NATS releases) or set NATS_URL to a running server with JetStream (-js).',
    );
    this.name = 'NatsBinaryMissing';
  }
}

/** Starts nats-server -js in the background on the URL's host and port; resolves once it accepts connections. */
export async function startLocalNats(
  url: string,
  paths: LocalNatsPaths,
  binary = process.env.NATS_SERVER_BIN || 'nats-server',
): Promise<number> {
  const { hostname, port } = new URL(url);
  mkdirSync(paths.storeDir, { recursive: true });
  mkdirSync(join(paths.logFile, '..'), { recursive: true });
  const log = openSync(paths.logFile, 'a');
  const child = spawn(binary, ['-js', '-a', hostname || '127.0.0.1', '-p', port || '4222', '-sd', paths.storeDir], {
    detached: true,
    stdio: ['ignore', log, log],
  });
  const failedToSpawn = new Promise<never>((_, reject) => child.once('error', () => reject(new NatsBinaryMissing(binary))));
  const ready = (async () => {
    for (let i = 0; i < 100; i++) {
      if (child.exitCode !== null) throw new Error(`nats-server exited with code ${child.exitCode}; see ${paths.logFile}`);
      if (await isNatsReachable(url)) return;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    throw new Error(`nats-server did not accept connections within 10 s; see ${paths.logFile}`);
  })();
  await Promise.race([ready, failedToSpawn]);
  child.unref();
  writeFileSync(paths.pidFile, String(child.pid));
  return child.pid!;
}

/** Stops the nats-server that `up` started, if any; returns whether one was stopped. */
export function stopLocalNats(paths: LocalNatsPaths): boolean {
  if (!existsSync(paths.pidFile)) return false;
  const pid = Number.parseInt(readFileSync(paths.pidFile, 'utf8'), 10);
  rmSync(paths.pidFile, { force: true });
  try {
    process.kill(pid, 'SIGTERM');
    return true;
  } catch {
    return false;
  }
}
