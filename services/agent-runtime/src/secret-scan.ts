import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import type { Redactor } from '@cohort/platform';

const run = promisify(execFile);

/**
 * Whether the work about to be pushed contains the value of one of the run's
 * secrets: everything the agent changed (committed or not) against the base.
 * An agent that writes a token into a file must not publish it to the forge.
 */
export async function changesContainSecret(workdir: string, base: string, redactor: Redactor): Promise<boolean> {
  await run('git', ['add', '--all'], { cwd: workdir });
  const { stdout } = await run('git', ['diff', '--cached', '--no-color', '--text', '--no-ext-diff', base || 'HEAD'], {
    cwd: workdir,
    maxBuffer: 256 * 1024 * 1024,
  });
  return redactor.redact(stdout) !== stdout;
}
