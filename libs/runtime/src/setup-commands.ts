import { OutputTail, type OutputTailOptions } from './output-tail.js';
import { spawnTree } from './spawn-tree.js';
import type { OutputLine } from './workspace-runtime.js';

export interface SetupFailure {
  readonly command: string;
  readonly exitCode: number | null;
  readonly timedOut: boolean;
  readonly outputTail: string;
}

export interface SetupOptions {
  readonly cwd: string;
  readonly env: NodeJS.ProcessEnv;
  readonly timeoutMs: number;
  readonly tail?: OutputTailOptions;
  readonly onOutput?: (entry: OutputLine) => void;
}

/** Runs the commands in order with /bin/sh -c; stops at the first failure and describes it. */
export async function runSetupCommands(commands: readonly string[], options: SetupOptions): Promise<SetupFailure | undefined> {
  for (const command of commands) {
    // One tail per command, with stdout and stderr interleaved as they arrive.
    const tail = new OutputTail(options.tail);
    const line = (stream: OutputLine['stream']) => (text: string) => {
      tail.push(text);
      options.onOutput?.({ command, stream, line: text });
    };
    const tree = spawnTree('/bin/sh', ['-c', command], {
      cwd: options.cwd,
      env: options.env,
      timeoutMs: options.timeoutMs,
      onStdout: line('stdout'),
      onStderr: line('stderr'),
    });
    const exit = await tree.exited;
    if (exit.code !== 0 || exit.timedOut) {
      // Whatever it started in the background must not outlive the failed setup.
      await tree.kill();
      return { command, exitCode: exit.code, timedOut: exit.timedOut, outputTail: tail.text() };
    }
  }
  return undefined;
}
