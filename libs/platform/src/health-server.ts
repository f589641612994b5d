import { createServer, type Server } from 'node:http';

/** A readiness check: resolves with a detail when healthy, throws or rejects when not. */
export type ReadinessCheck = () => Promise<string> | string;

export interface HealthReport {
  readonly status: 'ok' | 'unavailable';
  readonly service: string;
  readonly checks: Record<string, { ok: boolean; detail: string }>;
}

/**
 * `/healthz`: the process is alive. `/readyz`: every readiness check passes
 * (e.g. NATS connected), for load balancers and Kubernetes probes.
 */
export class HealthServer {
  private server: Server | undefined;
  private draining = false;

  constructor(
    private readonly service: string,
    private readonly checks: Record<string, ReadinessCheck>,
  ) {}

  async readiness(): Promise<HealthReport> {
    const entries = await Promise.all(
      Object.entries(this.checks).map(async ([name, check]) => {
        try {
          return [name, { ok: true, detail: await check() }] as const;
        } catch (error) {
          return [name, { ok: false, detail: (error as Error).message }] as const;
        }
      }),
    );
    const checks: Record<string, { ok: boolean; detail: string }> = Object.fromEntries(entries);
    if (this.draining) checks.shutdown = { ok: false, detail: 'shutting down' };
    const ok = Object.values(checks).every((c) => c.ok);
    return { status: ok ? 'ok' : 'unavailable', service: this.service, checks };
  }

  /** Readiness fails from now on, so traffic moves away before the process stops. */
  markDraining(): void {
    this.draining = true;
  }

  /** Listens on the port (0 picks a free one); returns the port. */
  async listen(port: number, host = '0.0.0.0'): Promise<number> {
    this.server = createServer((req, res) => {
      const reply = (code: number, body: unknown) => {
        res.writeHead(code, { 'content-type': 'application/json' });
        res.end(JSON.stringify(body));
      };
      if (req.url === '/healthz') return reply(200, { status: 'ok', service: this.service });
      if (req.url === '/readyz') {
        void this.readiness().then((report) => reply(report.status === 'ok' ? 200 : 503, report));
        return;
      }
      reply(404, { error: `no such endpoint ${req.url}: use /healthz or /readyz` });
    });
    await new Promise<void>((resolve, reject) => {
      this.server!.once('error', reject);
      this.server!.listen(port, host, resolve);
    });
    const address = this.server.address();
    return typeof address === 'object' && address ? address.port : port;
  }

  async close(): Promise<void> {
    const server = this.server;
    if (!server) return;
    this.server = undefined;
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}
