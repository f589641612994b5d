import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

// Entry points are given relative to the repository root, whichever test spawns them.
const ROOT = fileURLToPath(new URL('../../../', import.meta.url));

export interface SpawnedService {
  readonly child: ChildProcess;
  /** Everything written so far on stdout and stderr. */
  output(): string;
  /** Sends the signal and resolves with the exit code. */
  stop(signal?: NodeJS.Signals): Promise<number | null>;
  /** Resolves with the exit code once the process has exited, for a service expected to stop on its own. */
  readonly exited: Promise<number | null>;
}

/**
 * Runs a service entry point (e.g. `services/intake/src/main.ts`) as a real
 * process, the way it runs in production (from source), with `env` over this
 * process's environment.
 */
export function spawnService(entry: string, env: Record<string, string>): SpawnedService {
  const child = spawn(process.execPath, ['--conditions=cohort-source', '--import', 'tsx', entry], {
    cwd: ROOT,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return {
    child,
    output: () => output,
    exited,
    stop: async (signal = 'SIGTERM') => {
      if (child.exitCode === null) child.kill(signal);
      return exited;
    },
  };
}
