/**
 * Bundles scripted.ts and everything it imports into one plain JavaScript
 * file, so the launcher can start the agent with bare Node: every run of the
 * agent would otherwise pay for loading a TypeScript loader, about ten times
 * the cost of the agent's own work on a no-op playbook.
 *
 * Writes `<out>` and `<out>.inputs` (the bundled source files, one per line,
 * relative to the repository root) by rename, so launchers starting at the
 * same time never run a half-written bundle. The bundle's mtime is set to the
 * moment the build read its inputs: a source saved during the build is then
 * newer than the bundle, and the next launch builds again.
 *
 * Usage: build-bundle.ts <out>
 */
import { mkdir, rename, utimes, writeFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
// Dependencies bundled from CommonJS call require() for Node built-ins, which an ES module lacks.
const REQUIRE_SHIM =
  "import { createRequire as cohortCreateRequire } from 'node:module'; const require = cohortCreateRequire(import.meta.url);";

async function buildScriptedBundle(out: string): Promise<void> {
  const startedAt = new Date();
  const result = await build({
    absWorkingDir: root,
    entryPoints: ['tools/agents/scripted.ts'],
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node24',
    conditions: ['cohort-source'],
    banner: { js: REQUIRE_SHIM },
    metafile: true,
    write: false,
    logLevel: 'silent',
  });
  const code = result.outputFiles[0];
  if (!code) throw new Error('esbuild produced no output for tools/agents/scripted.ts');
  const inputs = Object.keys(result.metafile.inputs).filter((input) => !input.includes(':'));
  await mkdir(dirname(out), { recursive: true });
  const temporary = `${out}.${process.pid}`;
  await writeFile(`${temporary}.inputs`, `${inputs.join('\n')}\n`);
  await writeFile(temporary, code.contents);
  await utimes(temporary, startedAt, startedAt);
  await rename(`${temporary}.inputs`, `${out}.inputs`);
  await rename(temporary, out);
}

const out = process.argv[2];
if (!out) {
  process.stderr.write('usage: build-bundle.ts <out>\n');
  process.exitCode = 2;
} else {
  await buildScriptedBundle(resolve(out));
}
