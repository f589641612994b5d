import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { groupRunning } from './process-group.js';

export interface SpawnTreeOptions {
  readonly cwd: string;
  /** Full environment of the child; defaults to this process's environment. */
  readonly env?: NodeJS.ProcessEnv;
  /** Called with each complete stdout line (without the newline). */
  readonly onStdout?: (line: string) => void;
  /** Called with each complete stderr line (without the newline). */
  readonly onStderr?: (line: string) => void;
  /**
   * Time between SIGTERM and SIGKILL when the tree is killed.
   * @default 1000
   */
  readonly killGraceMs?: number;
  /**
   * How long to wait for the output pipes to close after the child exits, since a
   * background grandchild may hold them open forever.
   * @default 1000
   */
  readonly drainMs?: number;
  /** Kills the tree when this much time has passed since the start. No limit when undefined. */
  readonly timeoutMs?: number;
  /** Written to the child's stdin, which is then closed (agents read their prompt there). @default an empty, closed stdin */
  readonly stdin?: string;
}

export interface ProcessExit {
  /** Exit code, or null when the process ended by a signal. */
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  /** Whether the tree was killed because `timeoutMs` passed. */
  readonly timedOut: boolean;
}

export interface ProcessTree {
  readonly pid: number;
  /** Settles when the child has exited and its output has been delivered to the callbacks. */
  readonly exited: Promise<ProcessExit>;
  /**
   * Kills the whole process group: SIGTERM, then SIGKILL after the grace period to
   * whatever is left. Resolves when no process of the group is alive.
   */
  kill(): Promise<void>;
}

const pollMs = 25;

/**
 * Spawns `command` with `args` (no shell) in a new process group, so that kill()
 * reaches every descendant that stays in the group. A descendant that starts its
 * own session (setsid, daemonizing) leaves the group and is out of reach.
 */
export function spawnTree(command: string, args: readonly string[], options: SpawnTreeOptions): ProcessTree {
  const killGraceMs = options.killGraceMs ?? 1000;
  const drainMs = options.drainMs ?? 1000;
  const child = spawn(command, args, {
    cwd: options.cwd,
    env: options.env ?? process.env,
    detached: true,
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  // A child that exits without reading its stdin closes the pipe; that is not our error.
  child.stdin.on('error', () => undefined);
  child.stdin.end(options.stdin ?? '');

  let timedOut = false;
  let timer: NodeJS.Timeout | undefined;

  const streamDone = (stream: NodeJS.ReadableStream, onLine?: (line: string) => void): Promise<void> =>
    new Promise((resolve) => {
      const lines = createInterface({ input: stream, crlfDelay: Infinity });
      lines.on('line', (line) => onLine?.(line));
      lines.on('close', resolve);
    });
  const outputDone = Promise.all([streamDone(child.stdout, options.onStdout), streamDone(child.stderr, options.onStderr)]);

  const exited = new Promise<ProcessExit>((resolve, reject) => {
    child.once('error', (error) => {
      if (timer) clearTimeout(timer);
      reject(error);
    });
    child.once('exit', (code, signal) => {
      if (timer) clearTimeout(timer);
      const drained = new Promise((r) => setTimeout(r, drainMs).unref());
      void Promise.race([outputDone, drained]).then(() => {
        // Pipes held open by a surviving grandchild would keep this process alive.
        child.stdout.destroy();
        child.stderr.destroy();
        resolve({ code, signal, timedOut });
      });
    });
  });
  // Callers that only kill() must not get an unhandled rejection for a spawn error.
  exited.catch(() => undefined);

  const pid = child.pid;
  const groupAlive = (): boolean => pid !== undefined && groupRunning(pid);
  const signalGroup = (signal: NodeJS.Signals): void => {
    if (pid === undefined) return;
    try {
      process.kill(-pid, signal);
    } catch {
      // The group is already gone.
    }
  };

  let killing: Promise<void> | undefined;
  const kill = (): Promise<void> => {
    killing ??= (async () => {
      signalGroup('SIGTERM');
      const deadline = Date.now() + killGraceMs;
      while (groupAlive() && Date.now() < deadline) await sleep(pollMs);
      if (groupAlive()) signalGroup('SIGKILL');
      // Bounded, in case a process is stuck in uninterruptible sleep and ignores even SIGKILL for a while.
      const killDeadline = Date.now() + 1000;
      while (groupAlive() && Date.now() < killDeadline) await sleep(pollMs);
    })();
    return killing;
  };

  if (options.timeoutMs !== undefined) {
    timer = setTimeout(() => {
      timedOut = true;
      void kill();
    }, options.timeoutMs);
  }

  return { pid: pid ?? -1, exited, kill };
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
