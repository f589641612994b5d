import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { CliConfig } from '../config.js';
import { isNatsReachable, localNatsPaths, startLocalNats } from '../local-nats.js';
import { embeddedPostgresPaths } from '../postgres/embedded-postgres.js';
import { keepEmbeddedPostgresUp } from '../postgres/keep-embedded-postgres-up.js';
import { providePostgres, type ProvidedPostgres } from '../postgres/provide-postgres.js';
import { provisionStreams } from '../provision-streams.js';
import { adminTokenFile, ensureAdminToken } from '../stack/admin-token.js';
import { freePort, portInUse } from '../stack/free-port.js';
import { ensureSecretsKey } from '../stack/secrets-key.js';
import { availableServices, type ServiceName } from '../stack/service-catalog.js';
import { httpUrlOf, type HttpEndpoint } from '../stack/service-environment.js';
import { Stack } from '../stack/stack.js';
import { buildWeb, webBuildState } from '../stack/web-build.js';
import { registerDemo } from '../demo/register-demo.js';
import { isProcessAlive } from '../stack/process-alive.js';

export interface UpReport {
  readonly nats: { readonly url: string; readonly startedPid?: number };
  readonly streams: readonly string[];
  readonly postgres: ProvidedPostgres['report'];
  /** Present when the gateway is part of this checkout. */
  readonly gateway?: { readonly graphqlUrl: string; readonly adminToken: string; readonly adminTokenFile?: string };
  /** Present when the dashboard is built. */
  readonly dashboard?: { readonly url: string };
  /** The running services, once started (foreground `up`). */
  readonly services?: ReadonlyArray<{ readonly name: ServiceName; readonly pid?: number; readonly healthPort?: number }>;
}

/** What the services are started with, decided before any of them runs. */
export interface Infrastructure {
  readonly report: UpReport;
  readonly databaseUrl: string;
  readonly adminToken: string;
  readonly gateway: HttpEndpoint;
  readonly web: HttpEndpoint;
}

/**
 * Brings up the infrastructure of the embedded default: NATS with JetStream at
 * NATS_URL, or a local nats-server with its data under the data dir; the streams
 * of the namespace; PostgreSQL at DATABASE_URL, or the embedded one; the
 * dashboard's build; the admin token.
 */
export async function startInfrastructure(config: CliConfig, repoRoot: string, say: (line: string) => void): Promise<Infrastructure> {
  const gateway = { host: config.gatewayHost, port: config.gatewayPort };
  const web = { host: config.webHost, port: config.webPort };
  // Before anything starts: a taken port would otherwise surface as a service crash among the logs.
  if (availableServices(repoRoot).some((entry) => entry.name === 'gateway')) await refuseBusyPort('GATEWAY_PORT', gateway);
  if (webBuildState(repoRoot) !== 'no-dashboard') await refuseBusyPort('WEB_PORT', web);
  let startedPid: number | undefined;
  if (await isNatsReachable(config.natsUrl)) {
    say(`nats      using ${config.natsUrl}`);
  } else {
    startedPid = await startLocalNats(config.natsUrl, localNatsPaths(config.dataDir));
    say(`nats      started nats-server -js (pid ${startedPid}) at ${config.natsUrl}, data in ${config.dataDir}/nats`);
  }
  const streams = await provisionStreams(config.natsUrl, config.namespace);
  say(`streams   ${streams.join(', ')}`);
  const postgres = await providePostgres({
    databaseUrl: config.databaseUrl,
    dataDir: config.dataDir,
    repoRoot,
    embeddedPort: config.embeddedPostgresPort,
    say,
  });
  await prepareDashboard(config, repoRoot, say);
  const adminToken = ensureAdminToken(config.dataDir, config.adminToken);
  const available = new Set(availableServices(repoRoot).map((entry) => entry.name));
  const report: UpReport = {
    nats: { url: config.natsUrl, ...(startedPid ? { startedPid } : {}) },
    streams,
    postgres: postgres.report,
    ...(available.has('gateway')
      ? {
          gateway: {
            graphqlUrl: httpUrlOf(gateway, '/graphql'),
            adminToken,
            ...(config.adminToken ? {} : { adminTokenFile: adminTokenFile(config.dataDir) }),
          },
        }
      : {}),
    ...(available.has('web') ? { dashboard: { url: httpUrlOf(web, `/#token=${encodeURIComponent(adminToken)}`) } } : {}),
  };
  return { report, databaseUrl: postgres.url, adminToken, gateway, web };
}

/** Builds the dashboard when its build is missing or older than its sources; a failed build is reported, not fatal. */
async function prepareDashboard(config: CliConfig, repoRoot: string, say: (line: string) => void): Promise<void> {
  const state = webBuildState(repoRoot);
  if (state === 'no-dashboard' || state === 'fresh') return;
  if (!config.buildWeb) {
    say(`web       the dashboard build is ${state} and COHORT_WEB_BUILD=false; build it with: npm run build -w @cohort/web`);
    return;
  }
  const log = join(config.dataDir, 'logs', 'web-build.log');
  say(`web       building the dashboard (its build is ${state}); this takes a minute, output in ${log}`);
  try {
    await buildWeb(repoRoot, log);
    say('web       dashboard built');
  } catch (error) {
    say(`web       ${(error as Error).message}; ${state === 'stale' ? 'serving the previous build' : 'starting without the dashboard'}`);
  }
}

async function refuseBusyPort(variable: string, endpoint: HttpEndpoint): Promise<void> {
  if (await portInUse(endpoint.port, endpoint.host)) {
    throw new Error(
      `${variable}=${endpoint.port}: something already listens on ${endpoint.host}:${endpoint.port}; stop it or set ${variable} to a free port`,
    );
  }
}

/** The lines that tell a person where Cohort answers. */
export function endpointLines(report: UpReport): string[] {
  const lines: string[] = [];
  if (report.gateway) {
    lines.push(`GraphQL      ${report.gateway.graphqlUrl}`);
    lines.push(
      `Admin token  ${report.gateway.adminToken}${report.gateway.adminTokenFile ? `   (kept in ${report.gateway.adminTokenFile})` : ''}`,
    );
  }
  if (report.dashboard) lines.push(`Dashboard    ${report.dashboard.url}`);
  return lines;
}

export const upPidFile = (config: CliConfig) => join(config.dataDir, 'up.pid');
/** The report of the running `up`, services included, for `cohort status`. */
export const upReportFile = (config: CliConfig) => join(config.dataDir, 'up.json');

/** The pid of a running `up` of this data dir, if any. */
export function runningUp(config: CliConfig): number | undefined {
  const file = upPidFile(config);
  if (!existsSync(file)) return undefined;
  const pid = Number.parseInt(readFileSync(file, 'utf8'), 10);
  return isProcessAlive(pid) && pid !== process.pid ? pid : undefined;
}

/**
 * Runs every service in the foreground, each line prefixed with its service, until
 * SIGINT or SIGTERM. `onStarted` gets the report completed with the services.
 */
export async function runServicesInForeground(
  config: CliConfig,
  repoRoot: string,
  infrastructure: Infrastructure,
  say: (line: string) => void,
  onStarted: (report: UpReport) => void = () => undefined,
): Promise<void> {
  // Listen before any service starts: a signal that arrived while the demo was
  // being registered used to kill the supervisor by default and orphan its services.
  let stopRequested = false;
  const stopSignal = new Promise<void>((resolve) => {
    const stop = () => {
      stopRequested = true;
      resolve();
    };
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
  const healthPorts: Partial<Record<ServiceName, number>> = {};
  for (const entry of availableServices(repoRoot)) {
    if (entry.health === 'health-port') healthPorts[entry.name] = await freePort();
  }
  const stack = Stack.start({
    repoRoot,
    natsUrl: config.natsUrl,
    databaseUrl: infrastructure.databaseUrl,
    namespace: config.namespace,
    dataDir: config.dataDir,
    secretsKey: ensureSecretsKey(config.dataDir, process.env),
    onLine: (line) => console.log(line),
    healthPorts,
    gateway: infrastructure.gateway,
    web: infrastructure.web,
    adminToken: infrastructure.adminToken,
  });
  const embedded = infrastructure.report.postgres.embedded;
  const stopKeepingPostgresUp = embedded
    ? keepEmbeddedPostgresUp(
        embeddedPostgresPaths(config.dataDir),
        { pid: embedded.pid, host: embedded.host, port: embedded.port },
        { cwd: repoRoot, say },
      )
    : async () => undefined;
  mkdirSync(config.dataDir, { recursive: true });
  writeFileSync(upPidFile(config), String(process.pid));
  const services = [...stack.services.values()].map((service) => ({
    name: service.name as ServiceName,
    pid: service.pid,
    ...(healthPorts[service.name as ServiceName] !== undefined ? { healthPort: healthPorts[service.name as ServiceName] } : {}),
  }));
  const report: UpReport = { ...infrastructure.report, services };
  // The admin token stays in its own 0600 file; this one only says where it is.
  writeFileSync(upReportFile(config), `${JSON.stringify(storable(report), null, 2)}\n`);
  onStarted(report);
  say(`services  ${services.map((s) => (s.healthPort ? `${s.name} (health :${s.healthPort})` : s.name)).join(', ')}`);
  let demoRepoId: string | undefined;
  if (stack.services.has('intake')) {
    try {
      demoRepoId = await Promise.race([
        registerDemo(config.natsUrl, config.namespace, join(config.dataDir, 'repos')),
        stopSignal.then(() => Promise.reject(new Error('not registered: stopping'))),
      ]);
      say(`demo      repository "${demoRepoId}" registered (${join(config.dataDir, 'repos', 'demo.git')})`);
    } catch (error) {
      say(`demo      ${(error as Error).message}`);
    }
  }
  if (!stopRequested) {
    say('');
    for (const line of endpointLines(infrastructure.report)) say(line);
    if (demoRepoId) {
      say('');
      say('Try it:');
      say(`  ./cohort task create --repo ${demoRepoId} --title "Make the greeting name Cohort" --prompt "Fix the failing test in ci.sh"`);
      say('  ./cohort logs -f <task id>          # CI fails on the first attempt; the agent is resumed and fixes it');
      say('  ./cohort review approve <task id>   # then it is squash-merged and the task completes');
    }
    say('');
    say('Cohort is up. Stop it with Ctrl-C or ./cohort down.');
  }
  await stopSignal;
  // First, so that down, which stops the database once this process is gone, is not undone.
  await stopKeepingPostgresUp();
  say('stopping services…');
  await stack.stop();
  rmSync(upReportFile(config), { force: true });
  rmSync(upPidFile(config), { force: true });
}

/** What `cohort status` reads back: the report without the token, which stays in its own 0600 file. */
export type StoredUpReport = Omit<UpReport, 'gateway' | 'dashboard'> & {
  readonly gateway?: Omit<NonNullable<UpReport['gateway']>, 'adminToken'>;
  readonly dashboard?: { readonly url: string };
};

function storable(report: UpReport): StoredUpReport {
  const { gateway, dashboard, ...rest } = report;
  return {
    ...rest,
    ...(gateway
      ? { gateway: { graphqlUrl: gateway.graphqlUrl, ...(gateway.adminTokenFile ? { adminTokenFile: gateway.adminTokenFile } : {}) } }
      : {}),
    ...(dashboard ? { dashboard: { url: dashboard.url.replace(/#token=.*$/, '') } } : {}),
  };
}

/** `up --detach`: the same foreground supervisor, started in the background with its output in the data dir. */
export function detachUp(config: CliConfig, repoRoot: string): { pid: number; log: string } {
  const log = join(config.dataDir, 'logs', 'cohort.log');
  mkdirSync(join(config.dataDir, 'logs'), { recursive: true });
  const out = openSync(log, 'a');
  const child = spawn(join(repoRoot, 'cohort'), ['up'], { detached: true, stdio: ['ignore', out, out], env: process.env });
  child.unref();
  // The launcher execs node, so this pid is the supervisor's; writing it now closes the window for a second up.
  writeFileSync(upPidFile(config), String(child.pid));
  return { pid: child.pid!, log };
}
