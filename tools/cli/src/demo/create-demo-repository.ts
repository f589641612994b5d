import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { DEMO_FILES } from './demo-files.js';

const run = promisify(execFile);
const IDENTITY = ['-c', 'user.name=Cohort', '-c', 'user.email=cohort@localhost'];

/**
 * Creates the demo repository as a bare origin under `dir` (idempotent: an
 * existing one is kept, with whatever the demo has done to it) and returns its path.
 */
export async function createDemoRepository(dir: string): Promise<string> {
  const origin = join(dir, 'demo.git');
  if (existsSync(join(origin, 'HEAD'))) return origin;
  await mkdir(dir, { recursive: true });
  const work = await mkdtemp(join(tmpdir(), 'cohort-demo-'));
  try {
    await run('git', ['init', '-q', '-b', 'main', work]);
    for (const [path, content] of Object.entries(DEMO_FILES)) {
      await mkdir(dirname(join(work, path)), { recursive: true });
      await writeFile(join(work, path), content, { mode: path.endsWith('.sh') ? 0o755 : 0o644 });
    }
    await run('git', ['-C', work, 'add', '-A']);
    await run('git', ['-C', work, ...IDENTITY, 'commit', '-q', '-m', 'Demo project with a failing test']);
    await run('git', ['clone', '-q', '--bare', work, origin]);
    return origin;
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}
