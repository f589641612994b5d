import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, openSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { readEmbeddedPostgresState, type EmbeddedPostgresState } from './embedded-postgres-state.js';
import { isProcessAlive } from '../stack/process-alive.js';

const MAIN = join(dirname(fileURLToPath(import.meta.url)), 'embedded-postgres-main.ts');

/** Where the embedded PostgreSQL of a data dir keeps its files. */
export interface EmbeddedPostgresPaths {
  /** PGlite's database directory. */
  readonly pgdata: string;
  /** Written by the running process: its pid, host and port. */
  readonly stateFile: string;
  readonly logFile: string;
}

export function embeddedPostgresPaths(dataDir: string): EmbeddedPostgresPaths {
  return {
    pgdata: join(dataDir, 'pgdata'),
    stateFile: join(dataDir, 'postgres.json'),
    logFile: join(dataDir, 'logs', 'postgres.log'),
  };
}

export interface StartEmbeddedPostgresOptions {
  /** Where `tsx` resolves from: the repository root. */
  readonly cwd: string;
  /** @default 0 (a free port) */
  readonly port?: number;
  /** @default 127.0.0.1 */
  readonly host?: string;
  /** How long to wait for it to accept connections; a new directory takes several seconds to initialise. @default 120000 */
  readonly timeoutMs?: number;
  readonly env?: NodeJS.ProcessEnv;
}

/** Starts the embedded PostgreSQL in the background and resolves once a client can query it. */
export async function startEmbeddedPostgres(
  paths: EmbeddedPostgresPaths,
  options: StartEmbeddedPostgresOptions,
): Promise<EmbeddedPostgresState> {
  mkdirSync(dirname(paths.logFile), { recursive: true });
  const log = openSync(paths.logFile, 'a');
  const child = spawn(process.execPath, ['--conditions=cohort-source', '--import', 'tsx', MAIN], {
    cwd: options.cwd,
    detached: true,
    stdio: ['ignore', log, log],
    env: {
      ...(options.env ?? process.env),
      COHORT_EMBEDDED_PG_DIR: paths.pgdata,
      COHORT_EMBEDDED_PG_STATE: paths.stateFile,
      COHORT_EMBEDDED_PG_PORT: String(options.port ?? 0),
      COHORT_EMBEDDED_PG_HOST: options.host ?? '127.0.0.1',
    },
  });
  const timeoutMs = options.timeoutMs ?? 120_000;
  const deadline = Date.now() + timeoutMs;
  try {
    for (;;) {
      if (child.exitCode !== null || child.signalCode !== null) {
        throw new Error(
          `the embedded PostgreSQL exited (${child.exitCode ?? child.signalCode}) before accepting connections: ${lastLine(paths.logFile)}`,
        );
      }
      const state = readEmbeddedPostgresState(paths.stateFile);
      if (state && state.pid === child.pid && (await answers(state))) {
        child.unref();
        return state;
      }
      if (Date.now() > deadline) {
        throw new Error(`the embedded PostgreSQL did not accept connections within ${timeoutMs / 1000} s; see ${paths.logFile}`);
      }
      await sleep(100);
    }
  } catch (error) {
    child.kill('SIGKILL');
    throw error;
  }
}

/** The embedded PostgreSQL of this data dir when it runs and answers. */
export async function runningEmbeddedPostgres(paths: EmbeddedPostgresPaths): Promise<EmbeddedPostgresState | undefined> {
  const state = readEmbeddedPostgresState(paths.stateFile);
  if (!state || !isEmbeddedPostgres(state.pid)) return undefined;
  return (await answers(state)) ? state : undefined;
}

/**
 * Stops the embedded PostgreSQL of this data dir, if one runs, and waits until it
 * has closed its files (SIGKILL after `graceMs`). Returns whether one was running.
 */
export async function stopEmbeddedPostgres(paths: EmbeddedPostgresPaths, graceMs = 30_000): Promise<boolean> {
  const state = readEmbeddedPostgresState(paths.stateFile);
  if (!state || !isEmbeddedPostgres(state.pid)) return false;
  process.kill(state.pid, 'SIGTERM');
  const deadline = Date.now() + graceMs;
  while (isProcessAlive(state.pid)) {
    if (Date.now() > deadline) {
      process.kill(state.pid, 'SIGKILL');
      break;
    }
    await sleep(100);
  }
  return true;
}

/** The URL a client uses for the embedded PostgreSQL; it serves one database whatever the name. */
export function embeddedDatabaseUrl(state: EmbeddedPostgresState, database: string): string {
  return `postgres://postgres@${state.host}:${state.port}/${encodeURIComponent(database)}`;
}

async function answers(state: EmbeddedPostgresState): Promise<boolean> {
  const client = new pg.Client({
    host: state.host,
    port: state.port,
    user: 'postgres',
    database: 'postgres',
    connectionTimeoutMillis: 2000,
  });
  try {
    await client.connect();
    await client.query('select 1');
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => undefined);
  }
}

/** Alive, and (where /proc tells) really ours: a pid from a stale state file may belong to something else by now. */
export function isEmbeddedPostgres(pid: number): boolean {
  if (!isProcessAlive(pid)) return false;
  const cmdline = `/proc/${pid}/cmdline`;
  if (!existsSync(cmdline)) return process.platform !== 'linux';
  return readFileSync(cmdline, 'utf8').includes('embedded-postgres-main');
}

function lastLine(file: string): string {
  const lines = existsSync(file) ? readFileSync(file, 'utf8').trim().split('\n') : [];
  return lines.at(-1) || `no output; see ${file}`;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
