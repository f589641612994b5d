import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { OutputTail, type OutputTailOptions } from '@cohort/runtime';

export interface ShellRun {
  readonly exitCode: number | null;
  readonly timedOut: boolean;
  readonly outputTail: string;
  readonly durationMs: number;
}

/**
 * Runs `command` with /bin/sh -c in its own process group and keeps the tail of its
 * stdout and stderr interleaved. On timeout the whole group gets SIGTERM, then SIGKILL
 * after `killGraceMs`, so test runners that fork workers do not outlive the check.
 */
export function runShell(
  command: string,
  options: { cwd: string; env: NodeJS.ProcessEnv; timeoutMs: number; killGraceMs?: number; tail?: OutputTailOptions },
): Promise<ShellRun> {
  const started = Date.now();
  const tail = new OutputTail(options.tail);
  const child = spawn('/bin/sh', ['-c', command], {
    cwd: options.cwd,
    env: options.env,
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const signalGroup = (signal: NodeJS.Signals) => {
    try {
      if (child.pid !== undefined) process.kill(-child.pid, signal);
    } catch {
      // Already gone.
    }
  };
  let timedOut = false;
  let killTimer: NodeJS.Timeout | undefined;
  const timer = setTimeout(() => {
    timedOut = true;
    signalGroup('SIGTERM');
    killTimer = setTimeout(() => signalGroup('SIGKILL'), options.killGraceMs ?? 1000);
  }, options.timeoutMs);

  const streamsClosed = Promise.all(
    [child.stdout, child.stderr].map(
      (stream) =>
        new Promise<void>((resolve) => {
          const lines = createInterface({ input: stream, crlfDelay: Infinity });
          lines.on('line', (line) => tail.push(line));
          lines.on('close', resolve);
        }),
    ),
  );
  return new Promise((resolve, reject) => {
    child.once('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      if (killTimer) clearTimeout(killTimer);
      // Background processes the check left behind must not hold the pipes (and the checkout) forever.
      signalGroup('SIGKILL');
      const drained = new Promise((r) => setTimeout(r, 1000).unref());
      void Promise.race([streamsClosed, drained]).then(() => {
        child.stdout.destroy();
        child.stderr.destroy();
        if (timedOut) tail.push(`[cohort] check timed out after ${options.timeoutMs} ms and was killed`);
        resolve({ exitCode: code, timedOut, outputTail: tail.text(), durationMs: Date.now() - started });
      });
    });
  });
}
