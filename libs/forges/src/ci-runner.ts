import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gitOk } from '@cohort/runtime';
import type { OutputTailOptions } from '@cohort/runtime';
import { runShell, type ShellRun } from './run-shell.js';

export interface CiRunOptions {
  readonly originPath: string;
  readonly headSha: string;
  readonly command: string;
  readonly timeoutMs: number;
  readonly env: NodeJS.ProcessEnv;
  readonly tail?: OutputTailOptions;
}

/**
 * Runs the CI command in a fresh checkout of `headSha` made in a new temporary
 * directory, so nothing from an earlier run (build output, caches) can make a check
 * pass, and removes the checkout afterwards.
 */
export async function runCiInFreshCheckout(options: CiRunOptions): Promise<ShellRun> {
  const dir = await mkdtemp(join(tmpdir(), 'cohort-ci-'));
  try {
    const checkout = join(dir, 'src');
    await gitOk(['clone', '--quiet', '--no-checkout', options.originPath, checkout], { cwd: dir });
    await gitOk(['checkout', '--quiet', '--detach', options.headSha], { cwd: checkout });
    return await runShell(options.command, {
      cwd: checkout,
      env: options.env,
      timeoutMs: options.timeoutMs,
      tail: options.tail,
    });
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
