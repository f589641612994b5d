import { existsSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';

/** What a running embedded PostgreSQL announces in its state file. */
export interface EmbeddedPostgresState {
  readonly pid: number;
  readonly host: string;
  readonly port: number;
}

/** Written under a temporary name and renamed, so a reader never sees half a file. */
export function writeEmbeddedPostgresState(file: string, state: EmbeddedPostgresState): void {
  const partial = `${file}.${process.pid}.tmp`;
  writeFileSync(partial, `${JSON.stringify(state)}\n`);
  renameSync(partial, file);
}

export function readEmbeddedPostgresState(file: string): EmbeddedPostgresState | undefined {
  if (!existsSync(file)) return undefined;
  try {
    const parsed = JSON.parse(readFileSync(file, 'utf8')) as Partial<EmbeddedPostgresState>;
    if (typeof parsed.pid === 'number' && typeof parsed.host === 'string' && typeof parsed.port === 'number') {
      return { pid: parsed.pid, host: parsed.host, port: parsed.port };
    }
  } catch {
    // A file left by a crash mid-write reads as no state; the process is then treated as gone.
  }
  return undefined;
}

/** Removes the state file only when it is still this process's, so a successor's file survives. */
export function removeEmbeddedPostgresState(file: string, pid: number): void {
  if (readEmbeddedPostgresState(file)?.pid === pid) rmSync(file, { force: true });
}
