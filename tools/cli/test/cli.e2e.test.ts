import { execFile } from 'node:child_process';
import { resolve } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { natsUrl, databaseUrl } from '@cohort/testing';

const run = promisify(execFile);
const cohort = resolve(import.meta.dirname, '../../../cohort');

async function cohortCli(args: string[], env: Record<string, string> = {}) {
  try {
    const { stdout, stderr } = await run(cohort, args, { env: { ...process.env, ...env }, timeout: 60_000 });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

describe('cohort doctor', () => {
  it('reports Node, NATS with JetStream and PostgreSQL as healthy on this machine', async () => {
    const { code, stdout } = await cohortCli(['doctor', '--json'], { NATS_URL: natsUrl(), DATABASE_URL: databaseUrl() });
    const results = JSON.parse(stdout) as Array<{ name: string; ok: boolean; detail: string }>;
    expect(results.map((r) => r.name)).toEqual(['node', 'nats', 'jetstream', 'postgres']);
    expect(results.filter((r) => !r.ok)).toEqual([]);
    expect(code).toBe(0);
  });

  it('names each unreachable service with a fix and never prints the database password', async () => {
    const { code, stdout } = await cohortCli(['doctor'], {
      NATS_URL: 'nats://127.0.0.1:1',
      DATABASE_URL: 'postgres://cohort:hunter2secret@127.0.0.1:1/cohort',
    });
    expect(code).toBe(1);
    expect(stdout).toMatch(/FAIL\s+nats\s+cannot reach NATS at nats:\/\/127\.0\.0\.1:1/);
    expect(stdout).toMatch(/FAIL\s+postgres/);
    expect(stdout).toMatch(/fix: .*nats-server -js/);
    expect(stdout).not.toContain('hunter2secret');
  });
});

describe('cohort usage errors', () => {
  it('exits 2 with the usage text for an unknown command', async () => {
    const { code, stderr } = await cohortCli(['launch-rockets']);
    expect(code).toBe(2);
    expect(stderr).toContain('unknown command "launch-rockets"');
    expect(stderr).toContain('usage: cohort <command>');
  });

  it('exits 2 for an unknown option', async () => {
    const { code, stderr } = await cohortCli(['doctor', '--colour']);
    expect(code).toBe(2);
    expect(stderr).toContain("'--colour'");
  });
});

/** Pids of processes whose environment names this data dir (Linux /proc). */
async function processesWithDataDir(dataDir: string): Promise<number[]> {
  const { readdir, readFile } = await import('node:fs/promises');
  const pids: number[] = [];
  for (const entry of await readdir('/proc')) {
    if (!/^\d+$/.test(entry) || Number(entry) === process.pid) continue;
    const environ = await readFile(`/proc/${entry}/environ`, 'utf8').catch(() => '');
    if (environ.split('\0').includes(`COHORT_DATA_DIR=${dataDir}`)) pids.push(Number(entry));
  }
  return pids;
}

describe('cohort up and down', () => {
  it('starts a nats-server of its own when nothing answers, provisions the streams, refuses a second up, and down stops it and every service', async () => {
    const { freePort, uniqueNamespace } = await import('@cohort/testing');
    const { mkdtemp, rm, readFile } = await import('node:fs/promises');
    const { tmpdir } = await import('node:os');
    const { join } = await import('node:path');
    const dataDir = await mkdtemp(join(tmpdir(), 'cohort-up-'));
    const env = { NATS_URL: `nats://127.0.0.1:${await freePort()}`, COHORT_DATA_DIR: dataDir, COHORT_NAMESPACE: uniqueNamespace('up') };
    try {
      const up = await cohortCli(['up', '--detach', '--json'], env);
      expect(up.stderr).toBe('');
      expect(up.code).toBe(0);
      const report = JSON.parse(up.stdout);
      expect(report.nats.startedPid).toBeGreaterThan(0);
      expect(report.streams).toEqual([
        `${env.COHORT_NAMESPACE.toUpperCase()}_EVENTS`,
        `${env.COHORT_NAMESPACE.toUpperCase()}_INBOX`,
        `${env.COHORT_NAMESPACE.toUpperCase()}_LOGS`,
        `${env.COHORT_NAMESPACE.toUpperCase()}_DLQ`,
      ]);
      expect(Number(await readFile(join(dataDir, 'nats-server.pid'), 'utf8'))).toBe(report.nats.startedPid);
      const again = await cohortCli(['up', '--detach'], env);
      expect(again.code).toBe(1);
      expect(again.stderr).toContain('Cohort is already up');
      const down = await cohortCli(['down'], env);
      expect(down.stdout).toContain('stopped the nats-server started by up');
      const doctor = await cohortCli(['doctor', '--json'], env);
      expect(JSON.parse(doctor.stdout).find((r: { name: string }) => r.name === 'nats').ok).toBe(false);
      // down came while the services were still starting; none of them may outlive it.
      const { waitFor } = await import('@cohort/testing');
      await waitFor(
        'every service of this up to exit',
        async () => ((await processesWithDataDir(dataDir)).length === 0 ? true : undefined),
        30_000,
        250,
      );
    } finally {
      await cohortCli(['down'], env);
      await rm(dataDir, { recursive: true, force: true });
    }
  });
});
