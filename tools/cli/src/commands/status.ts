import { existsSync, readFileSync } from 'node:fs';
import type { CliConfig } from '../config.js';
import { embeddedPostgresPaths, runningEmbeddedPostgres } from '../postgres/embedded-postgres.js';
import { ensureAdminToken } from '../stack/admin-token.js';
import { endpointLines, runningUp, upReportFile, type StoredUpReport, type UpReport } from './up.js';
import { isProcessAlive } from '../stack/process-alive.js';

/** One process of a running `up`, as seen now. */
export interface ServiceStatus {
  readonly name: string;
  readonly pid?: number;
  readonly healthPort?: number;
  readonly alive: boolean;
  /** From its /readyz, where it serves one; the failing checks otherwise. */
  readonly ready?: boolean;
  readonly detail?: string;
}

export type StatusReport =
  | { readonly up: false; readonly dataDir: string }
  | {
      readonly up: true;
      readonly pid: number;
      readonly report: UpReport;
      readonly services: readonly ServiceStatus[];
      /** The embedded PostgreSQL as it runs now (it is restarted when it exits); absent when it is not running. */
      readonly embeddedPostgres?: { readonly pid: number; readonly host: string; readonly port: number };
    };

/** What the running `up` of this data dir started, and whether each service is alive and ready. */
export async function runStatus(config: CliConfig): Promise<StatusReport> {
  const pid = runningUp(config);
  const file = upReportFile(config);
  if (pid === undefined || !existsSync(file)) return { up: false, dataDir: config.dataDir };
  const stored = JSON.parse(readFileSync(file, 'utf8')) as StoredUpReport;
  const adminToken = ensureAdminToken(config.dataDir, config.adminToken);
  const { gateway, dashboard, ...rest } = stored;
  const report: UpReport = {
    ...rest,
    ...(gateway ? { gateway: { ...gateway, adminToken } } : {}),
    ...(dashboard ? { dashboard: { url: `${dashboard.url}#token=${encodeURIComponent(adminToken)}` } } : {}),
  };
  const gatewayReadyz = gateway ? new URL('/readyz', gateway.graphqlUrl).toString() : undefined;
  const services = await Promise.all(
    (stored.services ?? []).map(async (service): Promise<ServiceStatus> => {
      const alive = service.pid !== undefined && isProcessAlive(service.pid);
      const readyz =
        service.healthPort !== undefined
          ? `http://127.0.0.1:${service.healthPort}/readyz`
          : service.name === 'gateway'
            ? gatewayReadyz
            : undefined;
      if (!alive || !readyz) return { ...service, alive };
      return { ...service, alive, ...(await readiness(readyz)) };
    }),
  );
  const embeddedPostgres = report.postgres.embedded ? await runningEmbeddedPostgres(embeddedPostgresPaths(config.dataDir)) : undefined;
  return { up: true, pid, report, services, ...(embeddedPostgres ? { embeddedPostgres } : {}) };
}

export function formatStatus(status: StatusReport): string {
  if (!status.up) return `Cohort is not up for ${status.dataDir}; start it with ./cohort up`;
  const { report } = status;
  const postgres = !report.postgres.embedded
    ? report.postgres.url
    : status.embeddedPostgres
      ? `embedded PostgreSQL (pid ${status.embeddedPostgres.pid}) at ${report.postgres.url}`
      : `the embedded PostgreSQL is NOT RUNNING (${report.postgres.url})`;
  const lines = [`up        supervisor pid ${status.pid}`, `nats      ${report.nats.url}`, `postgres  ${postgres}`];
  for (const service of status.services) {
    const state = !service.alive
      ? 'EXITED'
      : service.ready === undefined
        ? 'running'
        : service.ready
          ? 'ready'
          : `NOT READY${service.detail ? `: ${service.detail}` : ''}`;
    const health = service.healthPort !== undefined ? `health :${service.healthPort}` : '';
    lines.push(`  ${service.name.padEnd(14)} pid ${String(service.pid ?? '?').padEnd(8)} ${health.padEnd(13)} ${state}`);
  }
  lines.push('', ...endpointLines(report));
  return lines.join('\n');
}

/** Up, every service alive, and every one with a readiness endpoint ready. */
export function isHealthy(status: StatusReport): boolean {
  if (!status.up) return false;
  if (status.report.postgres.embedded && !status.embeddedPostgres) return false;
  return status.services.every((service) => service.alive && service.ready !== false);
}

async function readiness(url: string): Promise<{ ready: boolean; detail?: string }> {
  try {
    const response = await fetch(url, { signal: AbortSignal.timeout(2000) });
    if (response.ok) return { ready: true };
    const body = (await response.json().catch(() => ({}))) as { checks?: Record<string, { ok: boolean; detail: string }> };
    const failing = Object.entries(body.checks ?? {})
      .filter(([, check]) => !check.ok)
      .map(([name, check]) => `${name}: ${check.detail}`);
    return { ready: false, detail: failing.join('; ') || `HTTP ${response.status}` };
  } catch (error) {
    return { ready: false, detail: (error as Error).message };
  }
}
