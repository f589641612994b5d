import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parsePlaybook } from '@cohort/agents';
import { createDemoRepository } from './create-demo-repository.js';
import { DEMO_CI_COMMAND } from './demo-files.js';

const run = promisify(execFile);

describe('the demo repository', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'demo-test-'));
  });
  afterEach(() => rm(dir, { recursive: true, force: true }));

  it('is a bare repository on main whose test fails until the greeting names Cohort', async () => {
    const origin = await createDemoRepository(join(dir, 'repos'));
    const checkout = join(dir, 'checkout');
    await run('git', ['clone', '-q', origin, checkout]);
    expect((await run('git', ['-C', checkout, 'branch', '--show-current'])).stdout.trim()).toBe('main');
    const failing = await run('sh', ['-c', DEMO_CI_COMMAND], { cwd: checkout }).catch((error: { code: number; stdout: string }) => error);
    expect(failing).toMatchObject({ code: 1 });
    expect((failing as { stdout: string }).stdout).toContain("greeting.txt should say 'Hello, Cohort'");
  });

  it('ships a playbook the scripted agent accepts, with a failing first attempt and a fixing resume', async () => {
    const origin = await createDemoRepository(join(dir, 'repos'));
    const checkout = join(dir, 'checkout');
    await run('git', ['clone', '-q', origin, checkout]);
    const parsed = parsePlaybook(await readFile(join(checkout, '.cohort/playbook.yaml'), 'utf8'));
    expect(parsed).toMatchObject({ ok: true });
    expect([...(parsed.ok ? parsed.value.keys() : [])]).toEqual(
      expect.arrayContaining(['initial', 'resume:ci_failure', 'resume:review', 'resume:conflict', 'review']),
    );
  });

  it('keeps an existing demo repository instead of recreating it', async () => {
    const first = await createDemoRepository(join(dir, 'repos'));
    const head = (await run('git', ['-C', first, 'rev-parse', 'main'])).stdout;
    expect(await createDemoRepository(join(dir, 'repos'))).toBe(first);
    expect((await run('git', ['-C', first, 'rev-parse', 'main'])).stdout).toBe(head);
  });
});
