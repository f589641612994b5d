import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { CliConfig } from '../config.js';
import { isNatsReachable, localNatsPaths, startLocalNats } from '../local-nats.js';
import { checkPostgres } from '../doctor/check-postgres.js';
import { provisionStreams } from '../provision-streams.js';
import { ensureSecretsKey } from '../stack/secrets-key.js';
import { Stack } from '../stack/stack.js';
import { registerDemo } from '../demo/register-demo.js';

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
export async function startInfrastructure(config: CliConfig, say: (line: string) => void): Promise<UpReport> {
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

export const upPidFile = (config: CliConfig) => join(config.dataDir, 'up.pid');

/** The pid of a running `up` of this data dir, if any. */
export function runningUp(config: CliConfig): number | undefined {
  const file = upPidFile(config);
  if (!existsSync(file)) return undefined;
  const pid = Number.parseInt(readFileSync(file, 'utf8'), 10);
  try {
    process.kill(pid, 0);
    return pid === process.pid ? undefined : pid;
  } catch {
    return undefined;
  }
}

/** Runs every service in the foreground, each line prefixed with its service, until SIGINT or SIGTERM. */
export async function runServicesInForeground(config: CliConfig, repoRoot: string, say: (line: string) => void): Promise<void> {
  // Listen before any service starts: a signal that arrived while the demo was
  // being registered used to kill the supervisor by default and orphan its services.
  let stopRequested = false;
  const stopSignal = new Promise<void>((resolve) => {
    const stop = () => {
      stopRequested = true;
      resolve();
    };
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
  const stack = Stack.start({
    repoRoot,
    natsUrl: config.natsUrl,
    databaseUrl: config.databaseUrl,
    namespace: config.namespace,
    dataDir: config.dataDir,
    secretsKey: ensureSecretsKey(config.dataDir, process.env),
    onLine: (line) => console.log(line),
  });
  mkdirSync(config.dataDir, { recursive: true });
  writeFileSync(upPidFile(config), String(process.pid));
  say(`services  ${[...stack.services.keys()].join(', ')}`);
  if (stack.services.has('intake')) {
    try {
      const repoId = await Promise.race([
        registerDemo(config.natsUrl, config.namespace, join(config.dataDir, 'repos')),
        stopSignal.then(() => Promise.reject(new Error('not registered: stopping'))),
      ]);
      say(`demo      repository "${repoId}" registered (${join(config.dataDir, 'repos', 'demo.git')})`);
      say('');
      say('Try it:');
      say(`  ./cohort task create --repo ${repoId} --title "Make the greeting name Cohort" --prompt "Fix the failing test in ci.sh"`);
      say('  ./cohort logs -f <task id>          # CI fails on the first attempt; the agent is resumed and fixes it');
      say('  ./cohort review approve <task id>   # then it is squash-merged and the task completes');
      say('');
    } catch (error) {
      say(`demo      ${(error as Error).message}`);
    }
  }
  if (!stopRequested) say('Cohort is up. Stop it with Ctrl-C or ./cohort down.');
  await stopSignal;
  say('stopping services…');
  await stack.stop();
  rmSync(upPidFile(config), { force: true });
}

/** `up --detach`: the same foreground supervisor, started in the background with its output in the data dir. */
export function detachUp(config: CliConfig, repoRoot: string): { pid: number; log: string } {
  const log = join(config.dataDir, 'logs', 'cohort.log');
  mkdirSync(join(config.dataDir, 'logs'), { recursive: true });
  const out = openSync(log, 'a');
  const child = spawn(join(repoRoot, 'cohort'), ['up'], { detached: true, stdio: ['ignore', out, out], env: process.env });
  child.unref();
  // The launcher execs node, so this pid is the supervisor's; writing it now closes the window for a second up.
  writeFileSync(upPidFile(config), String(child.pid));
  return { pid: child.pid!, log };
}
