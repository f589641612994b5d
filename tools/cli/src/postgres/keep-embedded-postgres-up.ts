import { isEmbeddedPostgres, startEmbeddedPostgres, type EmbeddedPostgresPaths } from './embedded-postgres.js';
import type { EmbeddedPostgresState } from './embedded-postgres-state.js';

export interface KeepUpOptions {
  /** Where `tsx` resolves from: the repository root. */
  readonly cwd: string;
  readonly say: (line: string) => void;
  /** How often to look. @default 2000 */
  readonly intervalMs?: number;
}

/**
 * Starts the embedded PostgreSQL again whenever it exits while `up` runs, on the
 * same host and port, because every service holds that address in DATABASE_URL
 * and reconnects to it. Resolves the returned stop() once no restart is under way.
 */
export function keepEmbeddedPostgresUp(
  paths: EmbeddedPostgresPaths,
  initial: EmbeddedPostgresState,
  options: KeepUpOptions,
): () => Promise<void> {
  let current = initial;
  let stopped = false;
  let restarting: Promise<void> | undefined;
  const check = () => {
    if (stopped || restarting || isEmbeddedPostgres(current.pid)) return;
    options.say(`postgres  the embedded PostgreSQL (pid ${current.pid}) exited; starting it again on ${current.host}:${current.port}`);
    restarting = startEmbeddedPostgres(paths, { cwd: options.cwd, host: current.host, port: current.port })
      .then((state) => {
        current = state;
        options.say(`postgres  embedded PostgreSQL running again (pid ${state.pid})`);
      })
      .catch((error: unknown) => options.say(`postgres  could not start the embedded PostgreSQL again: ${(error as Error).message}`))
      .finally(() => (restarting = undefined));
  };
  const timer = setInterval(check, options.intervalMs ?? 2000);
  timer.unref();
  return async () => {
    stopped = true;
    clearInterval(timer);
    await restarting;
  };
}
