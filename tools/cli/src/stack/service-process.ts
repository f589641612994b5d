import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import type { ServiceLoader } from './service-catalog.js';

export interface ServiceProcessOptions {
  readonly name: string;
  readonly main: string;
  /** @default tsx */
  readonly loader?: ServiceLoader;
  readonly cwd: string;
  readonly env: NodeJS.ProcessEnv;
  /** Receives every output line of the service, already prefixed with its name. */
  readonly onLine: (line: string) => void;
}

/** One service as its own Node process, running its TypeScript entry through tsx (or a built bundle as it is). */
export class ServiceProcess {
  private readonly child: ChildProcess;
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;

  constructor(private readonly options: ServiceProcessOptions) {
    const args = (options.loader ?? 'tsx') === 'tsx' ? ['--conditions=cohort-source', '--import', 'tsx', options.main] : [options.main];
    this.child = spawn(process.execPath, args, {
      cwd: options.cwd,
      env: options.env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const prefix = `${options.name.padEnd(13)} |`;
    for (const stream of [this.child.stdout!, this.child.stderr!]) {
      createInterface({ input: stream, crlfDelay: Infinity }).on('line', (line) => options.onLine(`${prefix} ${line}`));
    }
    this.exited = new Promise((resolve) => this.child.once('exit', (code, signal) => resolve({ code, signal })));
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  get name(): string {
    return this.options.name;
  }

  /** SIGTERM (the services drain and exit), SIGKILL after `graceMs`. */
  async stop(graceMs = 15_000): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    this.child.kill('SIGTERM');
    const timer = setTimeout(() => this.child.kill('SIGKILL'), graceMs);
    await this.exited;
    clearTimeout(timer);
  }

  /** For fault tests: no drain, no goodbye. */
  async killHard(): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    this.child.kill('SIGKILL');
    await this.exited;
  }
}
