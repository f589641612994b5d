import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect } from '@nats-io/transport-node';

/**
 * A nats-server with JetStream owned by one test, on a free port, so fault
 * tests can kill -9 and restart it. Its data directory survives restarts and
 * is removed by dispose().
 */
export class NatsServerProcess implements AsyncDisposable {
  private child: ChildProcess | undefined;

  private constructor(
    readonly port: number,
    readonly storeDir: string,
    private readonly binary: string,
  ) {}

  get url(): string {
    return `nats://127.0.0.1:${this.port}`;
  }

  static async start(options: { binary?: string } = {}): Promise<NatsServerProcess> {
    const port = await freePort();
    const storeDir = await mkdtemp(join(tmpdir(), 'cohort-nats-'));
    const server = new NatsServerProcess(port, storeDir, options.binary ?? process.env.NATS_SERVER_BIN ?? 'nats-server');
    await server.restart();
    return server;
  }

  /** Starts the server again (after kill) on the same port and data directory. */
  async restart(): Promise<void> {
    if (this.child && this.child.exitCode === null && this.child.signalCode === null) {
      throw new Error('nats-server is still running; kill it first');
    }
    const child = spawn(this.binary, ['-js', '-a', '127.0.0.1', '-p', String(this.port), '-sd', this.storeDir], {
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr?.on('data', (chunk: Buffer) => {
      stderr = (stderr + chunk.toString()).slice(-4000);
    });
    const spawnFailed = new Promise<never>((_, reject) => {
      child.once('error', (error) =>
        reject(
          new Error(
            `cannot start ${this.binary}: ${error.message}. Install it (Debian: apt-get install nats-server) or set NATS_SERVER_BIN`,
          ),
        ),
      );
    });
    this.child = child;
    await Promise.race([this.waitUntilReady(() => stderr), spawnFailed]);
  }

  /** SIGKILL: no flush, no goodbye. */
  async kill(): Promise<void> {
    const child = this.child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGKILL');
    await exited;
  }

  async dispose(): Promise<void> {
    await this.kill();
    await rm(this.storeDir, { recursive: true, force: true });
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.dispose();
  }

  private async waitUntilReady(stderr: () => string): Promise<void> {
    const deadline = Date.now() + 15_000;
    let lastError: unknown;
    while (Date.now() < deadline) {
      if (this.child?.exitCode !== null && this.child?.exitCode !== undefined) {
        throw new Error(`nats-server exited with code ${this.child.exitCode}: ${stderr()}`);
      }
      try {
        const nc = await connect({ servers: this.url, reconnect: false, timeout: 500 });
        // JetStream answers only once the store is recovered.
        await nc.request('$JS.API.INFO', undefined, { timeout: 1000 });
        await nc.close();
        return;
      } catch (error) {
        lastError = error;
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    }
    throw new Error(`nats-server on ${this.url} did not become ready: ${String(lastError)} ${stderr()}`);
  }
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}
