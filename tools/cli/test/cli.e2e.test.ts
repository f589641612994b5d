import { execFile } from 'node:child_process';
import { resolve } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { natsUrl, databaseUrl } from '@cohort/testing';

const run = promisify(execFile);
// The first up of a data dir initialises the embedded database, which is slow on a busy machine.
const UP_TIMEOUT_MS = 180_000;
const cohort = resolve(import.meta.dirname, '../../../cohort');

async function cohortCli(args: string[], env: Record<string, string> = {}, timeoutMs = 60_000) {
  try {
    const { stdout, stderr } = await run(cohort, args, { env: { ...process.env, ...env }, timeout: timeoutMs });
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

  it('names an unreachable NATS with a fix, offers the embedded PostgreSQL when none answers, and never prints the database password', async () => {
    const { code, stdout } = await cohortCli(['doctor'], {
      NATS_URL: 'nats://127.0.0.1:1',
      DATABASE_URL: 'postgres://cohort:hunter2secret@127.0.0.1:1/cohort',
    });
    expect(code).toBe(1);
    expect(stdout).toMatch(/FAIL\s+nats\s+cannot reach NATS at nats:\/\/127\.0\.0\.1:1/);
    expect(stdout).toMatch(/fix: .*nats-server -js/);
    expect(stdout).toMatch(
      /ok\s+postgres\s+nothing answers at postgres:\/\/cohort:\*\*\*@127\.0\.0\.1:1\/cohort .*starts an embedded PostgreSQL/,
    );
    expect(stdout).not.toContain('hunter2secret');
  });

  it('fails the PostgreSQL check when a server answers but refuses, naming DATABASE_URL in the fix', async () => {
    const url = new URL(databaseUrl());
    url.username = 'no_such_role_for_doctor';
    const { code, stdout } = await cohortCli(['doctor'], { NATS_URL: natsUrl(), DATABASE_URL: url.toString() });
    expect(code).toBe(1);
    expect(stdout).toMatch(/FAIL\s+postgres\s+PostgreSQL at .* refused: .*no_such_role_for_doctor/);
    expect(stdout).toMatch(/fix: .*DATABASE_URL/);
  });
});

describe('cohort projections rebuild', () => {
  it('says no projector answered, as JSON with code UNAVAILABLE, when none runs in the namespace', async () => {
    const { natsTestContext } = await import('@cohort/testing');
    const { provisionStreams } = await import('../src/provision-streams.js');
    await using context = await natsTestContext({ label: 'rebuild' });
    await provisionStreams(context.url, context.topology.namespace);
    const { code, stdout } = await cohortCli(['projections', 'rebuild', '--timeout', '500', '--json'], {
      NATS_URL: context.url,
      COHORT_NAMESPACE: context.topology.namespace,
    });
    expect(code).toBe(1);
    expect(JSON.parse(stdout)).toEqual({
      ok: false,
      error: { code: 'UNAVAILABLE', message: expect.stringContaining('no projector answered RebuildProjections within 500 ms') },
    });
  });

  it('exits 2 with its usage for an unknown subcommand', async () => {
    const { code, stderr } = await cohortCli(['projections', 'drop']);
    expect(code).toBe(2);
    expect(stderr).toContain('unknown projections command "drop"');
    expect(stderr).toContain('usage: cohort projections rebuild');
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

/** An environment for `up` on a data dir of its own: its own NATS port, the embedded PostgreSQL, free HTTP ports, no dashboard build. */
async function upEnvironment(label: string) {
  const { freePort, uniqueNamespace } = await import('@cohort/testing');
  const { mkdtemp } = await import('node:fs/promises');
  const { tmpdir } = await import('node:os');
  const { join } = await import('node:path');
  const dataDir = await mkdtemp(join(tmpdir(), `cohort-${label}-`));
  return {
    dataDir,
    env: {
      NATS_URL: `nats://127.0.0.1:${await freePort()}`,
      // Nothing listens on port 1, which sends up to the embedded PostgreSQL.
      DATABASE_URL: 'postgres://postgres@127.0.0.1:1/cohort',
      COHORT_DATA_DIR: dataDir,
      COHORT_NAMESPACE: uniqueNamespace(label),
      GATEWAY_PORT: String(await freePort()),
      WEB_PORT: String(await freePort()),
      // Building the dashboard is the dashboard's own test; here it would only write into the shared checkout.
      COHORT_WEB_BUILD: 'false',
    },
  };
}

describe('cohort up and down', () => {
  it('starts a nats-server and an embedded PostgreSQL of its own when nothing answers, provisions the streams, prints the GraphQL URL and admin token, refuses a second up, and down stops it all', async () => {
    const { rm, readFile, stat } = await import('node:fs/promises');
    const { join } = await import('node:path');
    const { dataDir, env } = await upEnvironment('up');
    try {
      const up = await cohortCli(['up', '--detach', '--json'], env, UP_TIMEOUT_MS);
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
      expect(report.postgres).toMatchObject({ source: 'embedded', embedded: { started: true, dataDir: join(dataDir, 'pgdata') } });
      expect(report.postgres.url).toBe(`postgres://postgres@127.0.0.1:${report.postgres.embedded.port}/cohort`);
      expect(report.gateway.graphqlUrl).toBe(`http://127.0.0.1:${env.GATEWAY_PORT}/graphql`);
      expect(report.gateway.adminToken).toMatch(/^cohort_[A-Za-z0-9_-]{43}$/);
      const tokenFile = join(dataDir, 'admin.token');
      expect((await readFile(tokenFile, 'utf8')).trim()).toBe(report.gateway.adminToken);
      expect((await stat(tokenFile)).mode & 0o777).toBe(0o600);
      const again = await cohortCli(['up', '--detach'], env, UP_TIMEOUT_MS);
      expect(again.code).toBe(1);
      expect(again.stderr).toContain('Cohort is already up');
      const down = await cohortCli(['down'], env);
      expect(down.stdout).toContain('stopped the embedded PostgreSQL started by up');
      expect(down.stdout).toContain('stopped the nats-server started by up');
      const doctor = await cohortCli(['doctor', '--json'], env);
      expect(JSON.parse(doctor.stdout).find((r: { name: string }) => r.name === 'nats').ok).toBe(false);
      // down came while the services were still starting; none of them, nor the database, may outlive it.
      const { waitFor } = await import('@cohort/testing');
      await waitFor(
        'every process of this up to exit',
        async () => ((await processesWithDataDir(dataDir)).length === 0 ? true : undefined),
        30_000,
        250,
      );
    } finally {
      await cohortCli(['down'], env);
      await rm(dataDir, { recursive: true, force: true });
    }
  });

  it('refuses to start anything when the gateway port is taken, naming GATEWAY_PORT', async () => {
    const { rm } = await import('node:fs/promises');
    const { existsSync } = await import('node:fs');
    const { createServer } = await import('node:net');
    const { join } = await import('node:path');
    const { dataDir, env } = await upEnvironment('upbusy');
    const squatter = createServer();
    await new Promise<void>((resolve) => squatter.listen(Number(env.GATEWAY_PORT), '127.0.0.1', resolve));
    try {
      const up = await cohortCli(['up', '--detach'], env, UP_TIMEOUT_MS);
      expect(up.code).toBe(1);
      expect(up.stderr).toContain(`GATEWAY_PORT=${env.GATEWAY_PORT}: something already listens on 127.0.0.1:${env.GATEWAY_PORT}`);
      expect(existsSync(join(dataDir, 'nats-server.pid'))).toBe(false);
      expect(existsSync(join(dataDir, 'postgres.json'))).toBe(false);
    } finally {
      squatter.close();
      await cohortCli(['down'], env);
      await rm(dataDir, { recursive: true, force: true });
    }
  });

  it('serves GraphQL from the embedded PostgreSQL with the printed admin token, reports every service ready on its own health port, rebuilds the projections on it, survives a kill -9 of the database, and keeps the token across a restart', async () => {
    const { rm } = await import('node:fs/promises');
    const { waitFor } = await import('@cohort/testing');
    const { dataDir, env } = await upEnvironment('upgql');
    const query = async (url: string, token: string) => {
      const response = await fetch(url, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: JSON.stringify({ query: '{ repos { name } readSide { available } }' }),
      });
      return (await response.json()) as { data?: { repos: Array<{ name: string }>; readSide: { available: boolean } }; errors?: unknown };
    };
    try {
      const first = JSON.parse((await cohortCli(['up', '--detach', '--json'], env, UP_TIMEOUT_MS)).stdout);
      const { graphqlUrl, adminToken } = first.gateway;
      const answer = await waitFor(
        'the gateway to list the demo repository from the projections',
        async () => {
          const result = await query(graphqlUrl, adminToken).catch(() => undefined);
          return result?.data?.repos.some((r) => r.name === 'demo') ? result : undefined;
        },
        180_000,
        500,
      );
      expect(answer.data!.readSide.available).toBe(true);
      // The dashboard runs only where web/build exists (it is built, not checked in).
      if (first.dashboard) {
        expect(first.dashboard.url).toBe(`http://127.0.0.1:${env.WEB_PORT}/#token=${adminToken}`);
        const dashboardConfig = await waitFor(
          'the dashboard to serve its config',
          async () => (await fetch(new URL('/config.json', first.dashboard.url)).catch(() => undefined))?.json(),
          60_000,
          500,
        );
        expect(dashboardConfig).toEqual({ gatewayUrl: graphqlUrl });
      }
      const status = await waitFor(
        'cohort status to find every service ready',
        async () => {
          const result = await cohortCli(['status', '--json'], env);
          return result.code === 0 ? JSON.parse(result.stdout) : undefined;
        },
        120_000,
        1000,
      );
      const services = status.services as Array<{ name: string; healthPort?: number; alive: boolean; ready?: boolean }>;
      expect(services.map((s) => s.name)).toEqual(expect.arrayContaining(['intake', 'projector', 'gateway', 'scheduler']));
      const healthPorts = services.flatMap((s) => (s.healthPort === undefined ? [] : [s.healthPort]));
      expect(new Set(healthPorts).size).toBe(healthPorts.length);
      expect(services.find((s) => s.name === 'projector')).toMatchObject({ alive: true, ready: true, healthPort: expect.any(Number) });
      expect(services.find((s) => s.name === 'gateway')).toMatchObject({ alive: true, ready: true });
      const rebuild = await cohortCli(['projections', 'rebuild', '--json'], env);
      expect(rebuild.code).toBe(0);
      const rebuilt = JSON.parse(rebuild.stdout) as { ok: boolean; generation: number; position: number };
      expect(rebuilt).toEqual({ ok: true, generation: expect.any(Number), position: expect.any(Number) });
      // Numbers are never reused (a start that failed half-way leaves a gap): only a new one can be asked for.
      expect(rebuilt.generation).toBeGreaterThan(1);
      await waitFor(
        'the gateway to answer from the rebuilt generation',
        async () => ((await query(graphqlUrl, adminToken)).data?.repos.some((r) => r.name === 'demo') ? true : undefined),
        60_000,
        500,
      );

      // The database dies under the running system: up starts it again on the same port and everyone reconnects.
      const databasePid = status.embeddedPostgres.pid as number;
      process.kill(databasePid, 'SIGKILL');
      const recovered = await waitFor(
        'cohort status to find the embedded PostgreSQL started again',
        async () => {
          const now = JSON.parse((await cohortCli(['status', '--json'], env)).stdout);
          return now.embeddedPostgres && now.embeddedPostgres.pid !== databasePid ? now : undefined;
        },
        120_000,
        1000,
      );
      expect(recovered.embeddedPostgres.port).toBe(status.embeddedPostgres.port);
      await waitFor(
        'the gateway to read the projections again',
        async () => ((await query(graphqlUrl, adminToken).catch(() => undefined))?.data?.readSide.available ? true : undefined),
        120_000,
        500,
      );
      expect(await query(graphqlUrl, 'cohort_not-the-admin-token-at-all')).toMatchObject({ errors: expect.anything() });
      await cohortCli(['down'], env);
      const afterDown = await cohortCli(['status'], env);
      expect(afterDown.code).toBe(1);
      expect(afterDown.stdout).toContain('Cohort is not up');

      const second = await cohortCli(['up', '--detach'], env, UP_TIMEOUT_MS);
      expect(second.code).toBe(0);
      expect(second.stdout).toContain(`Admin token  ${adminToken}`);
      expect(second.stdout).toContain(`GraphQL      ${graphqlUrl}`);
      const repos = await waitFor(
        'the restarted gateway to answer',
        async () => (await query(graphqlUrl, adminToken).catch(() => undefined))?.data?.repos,
        180_000,
        500,
      );
      expect(repos.map((r) => r.name)).toContain('demo');
    } finally {
      await cohortCli(['down'], env);
      await waitFor(
        'every process of this up to exit',
        async () => ((await processesWithDataDir(dataDir)).length === 0 ? true : undefined),
        30_000,
        250,
      );
      await rm(dataDir, { recursive: true, force: true });
    }
  }, 420_000);
});
