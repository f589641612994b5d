import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { tempGitRepo } from './scripted-harness.js';

const LAUNCHER = resolve(import.meta.dirname, '../scripted');
const PLAYBOOK = 'initial:\n  - print: hello from the playbook\n  - exit: 3\n';

/** Runs the launcher with its bundle at `bundle`; returns the exit code and stdout. */
function launch(workdir: string, bundle: string, env: Record<string, string> = {}) {
  const result = spawnSync(LAUNCHER, ['--run-kind', 'initial', '--playbook', 'playbook.yaml'], {
    cwd: workdir,
    input: 'the prompt\n',
    env: { ...process.env, COHORT_SCRIPTED_BUNDLE: bundle, ...env },
    encoding: 'utf8',
  });
  return { code: result.status, stdout: result.stdout };
}

describe('the scripted agent launcher', () => {
  const cleanups: (() => void)[] = [];
  afterEach(() => {
    for (const cleanup of cleanups.splice(0)) cleanup();
  });

  function setUp() {
    const repo = tempGitRepo();
    writeFileSync(join(repo.dir, 'playbook.yaml'), PLAYBOOK);
    const cache = mkdtempSync(join(tmpdir(), 'cohort-scripted-bundle-'));
    cleanups.push(repo[Symbol.dispose], () => rmSync(cache, { recursive: true, force: true }));
    return { workdir: repo.dir, cache, bundle: join(cache, 'scripted-agent.mjs') };
  }

  it('builds a bundle on first start that behaves exactly like the TypeScript sources', () => {
    const { workdir, bundle } = setUp();
    const fromSources = launch(workdir, bundle, { COHORT_SCRIPTED_NO_BUNDLE: '1' });
    expect(() => statSync(bundle)).toThrow();

    const fromBundle = launch(workdir, bundle);

    expect(statSync(bundle).size).toBeGreaterThan(0);
    expect(readFileSync(`${bundle}.inputs`, 'utf8')).toContain('tools/agents/scripted.ts');
    expect(fromBundle).toEqual(fromSources);
    expect(fromBundle.code).toBe(3);
    expect(fromBundle.stdout).toContain('hello from the playbook');
  });

  it('builds the bundle again when a file it was built from is newer than it', () => {
    const { workdir, bundle } = setUp();
    launch(workdir, bundle);
    const longAgo = new Date('2001-01-01T00:00:00Z');
    utimesSync(bundle, longAgo, longAgo);

    expect(launch(workdir, bundle).code).toBe(3);

    expect(statSync(bundle).mtimeMs).toBeGreaterThan(longAgo.getTime());
  });

  it('builds the bundle again when a file it was built from is gone', () => {
    const { workdir, bundle } = setUp();
    launch(workdir, bundle);
    writeFileSync(`${bundle}.inputs`, 'tools/agents/no-such-file.ts\n');

    expect(launch(workdir, bundle).code).toBe(3);

    expect(readFileSync(`${bundle}.inputs`, 'utf8')).not.toContain('no-such-file');
  });

  it('runs the agent from its sources when the bundle cannot be written', () => {
    const { workdir, cache } = setUp();
    const notADirectory = join(cache, 'a-file');
    writeFileSync(notADirectory, '');

    const run = launch(workdir, join(notADirectory, 'scripted-agent.mjs'));

    expect(run.code).toBe(3);
    expect(run.stdout).toContain('hello from the playbook');
  });
});
