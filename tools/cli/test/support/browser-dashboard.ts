import { execFile, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { natsUrl, spawnService, waitFor, type SpawnedService } from '@cohort/testing';

const exec = promisify(execFile);

/** A free TCP port on loopback, for a process that must be told its port up front. */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (!address || typeof address === 'string') throw new Error('no port was assigned');
  return address.port;
}

function newestMtime(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestMtime(path) : statSync(path).mtimeMs);
  }
  return newest;
}

/** Builds web/ (adapter-node, into web/build) unless the build is newer than every source file. */
export async function ensureDashboardBuild(repoRoot: string): Promise<void> {
  const web = join(repoRoot, 'web');
  const entry = join(web, 'build', 'index.js');
  const sources = Math.max(newestMtime(join(web, 'src')), statSync(join(web, 'vite.config.ts')).mtimeMs);
  if (existsSync(entry) && statSync(entry).mtimeMs >= sources) return;
  await exec(process.execPath, [join(repoRoot, 'node_modules', 'vite', 'bin', 'vite.js'), 'build'], { cwd: web, timeout: 180_000 });
}

async function httpOk(url: string): Promise<true | undefined> {
  const response = await fetch(url).catch(() => undefined);
  return response?.ok ? true : undefined;
}

/** The gateway and the dashboard of one System, each its own process, as `cohort up` runs them. */
export class DashboardStack {
  private constructor(
    readonly gatewayUrl: string,
    readonly dashboardUrl: string,
    /** An admin token, registered by the gateway at start. */
    readonly token: string,
    private readonly gateway: SpawnedService,
    private readonly web: ReturnType<typeof spawn>,
    private readonly webOutput: () => string,
  ) {}

  static async start(options: { repoRoot: string; namespace: string; databaseUrl: string }): Promise<DashboardStack> {
    await ensureDashboardBuild(options.repoRoot);
    const token = `cohort_e2e_${randomBytes(24).toString('hex')}`;
    const gatewayPort = await freePort();
    const gateway = spawnService('gateway/src/main.ts', {
      NATS_URL: natsUrl(),
      COHORT_NAMESPACE: options.namespace,
      DATABASE_URL: options.databaseUrl,
      GATEWAY_HOST: '127.0.0.1',
      GATEWAY_PORT: String(gatewayPort),
      COHORT_ADMIN_TOKEN: token,
    });
    const gatewayUrl = `http://127.0.0.1:${gatewayPort}/graphql`;
    await waitFor('the gateway to answer /readyz', () => httpOk(`http://127.0.0.1:${gatewayPort}/readyz`), 150_000, 250).catch((error) => {
      throw new Error(`${(error as Error).message}\ngateway output:\n${gateway.output()}`, { cause: error });
    });
    const webPort = await freePort();
    const web = spawn(process.execPath, [join(options.repoRoot, 'web', 'build', 'index.js')], {
      env: { ...process.env, HOST: '127.0.0.1', PORT: String(webPort), COHORT_GATEWAY_URL: gatewayUrl },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let webOutput = '';
    web.stdout!.on('data', (chunk: Buffer) => (webOutput += chunk.toString()));
    web.stderr!.on('data', (chunk: Buffer) => (webOutput += chunk.toString()));
    const dashboardUrl = `http://127.0.0.1:${webPort}`;
    await waitFor('the dashboard to answer /healthz', () => httpOk(`${dashboardUrl}/healthz`), 30_000, 100).catch((error) => {
      throw new Error(`${(error as Error).message}\ndashboard output:\n${webOutput}`, { cause: error });
    });
    return new DashboardStack(gatewayUrl, dashboardUrl, token, gateway, web, () => webOutput);
  }

  /** What the gateway and the dashboard printed, for failure messages. */
  output(): string {
    return `gateway:\n${this.gateway.output().slice(-4000)}\ndashboard:\n${this.webOutput().slice(-2000)}`;
  }

  async stop(): Promise<void> {
    const webExited = new Promise<void>((resolve) => (this.web.exitCode !== null ? resolve() : this.web.once('exit', () => resolve())));
    this.web.kill('SIGTERM');
    await Promise.all([webExited, this.gateway.stop()]);
  }
}
