import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, openSync, readdirSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';

/** What the dashboard's build looks like against its sources. */
export type WebBuildState = 'no-dashboard' | 'missing' | 'stale' | 'fresh';

/** The inputs of `vite build`; a change to any of them makes the build stale. */
const SOURCES = ['src', 'static', 'package.json', 'svelte.config.js', 'vite.config.ts', 'tsconfig.json'];

export const webBuildEntry = (repoRoot: string) => join(repoRoot, 'web', 'build', 'index.js');

export function webBuildState(repoRoot: string): WebBuildState {
  const web = join(repoRoot, 'web');
  if (!existsSync(join(web, 'package.json')) || !existsSync(join(web, 'src'))) return 'no-dashboard';
  const entry = webBuildEntry(repoRoot);
  if (!existsSync(entry)) return 'missing';
  const built = statSync(entry).mtimeMs;
  return SOURCES.some((source) => newestChange(join(web, source)) > built) ? 'stale' : 'fresh';
}

/** Runs the dashboard's build script (`vite build` to web/build), its output to `logFile`. */
export async function buildWeb(repoRoot: string, logFile: string): Promise<void> {
  mkdirSync(dirname(logFile), { recursive: true });
  const log = openSync(logFile, 'a');
  const child = spawn('npm', ['run', 'build'], { cwd: join(repoRoot, 'web'), stdio: ['ignore', log, log] });
  const code = await new Promise<number | null>((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', (exitCode) => resolve(exitCode));
  });
  if (code !== 0 || !existsSync(webBuildEntry(repoRoot))) {
    throw new Error(`the dashboard build failed (exit code ${code}); see ${logFile}`);
  }
}

function newestChange(path: string): number {
  if (!existsSync(path)) return 0;
  const stat = statSync(path);
  if (!stat.isDirectory()) return stat.mtimeMs;
  let newest = stat.mtimeMs;
  for (const child of readdirSync(path)) {
    if (child === 'node_modules') continue;
    newest = Math.max(newest, newestChange(join(path, child)));
  }
  return newest;
}
