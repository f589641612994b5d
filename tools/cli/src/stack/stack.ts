import { availableServices, type ServiceName } from './service-catalog.js';
import { ServiceProcess } from './service-process.js';

export interface StackOptions {
  readonly repoRoot: string;
  readonly natsUrl: string;
  readonly databaseUrl: string;
  readonly namespace: string;
  readonly dataDir: string;
  readonly secretsKey: string;
  readonly onLine: (line: string) => void;
  /** Only these services. @default every service present in the checkout */
  readonly only?: readonly ServiceName[];
  /** Extra environment for every service (e.g. shorter intervals in tests). */
  readonly env?: NodeJS.ProcessEnv;
}

/** Every service as its own process, sharing one NATS namespace. */
export class Stack {
  private constructor(
    readonly services: Map<ServiceName, ServiceProcess>,
    private readonly spawnService: (name: ServiceName) => ServiceProcess,
  ) {}

  static start(options: StackOptions): Stack {
    const entries = availableServices(options.repoRoot).filter((entry) => !options.only || options.only.includes(entry.name));
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      ...options.env,
      NATS_URL: options.natsUrl,
      DATABASE_URL: options.databaseUrl,
      COHORT_NAMESPACE: options.namespace,
      COHORT_DATA_DIR: options.dataDir,
      COHORT_SECRETS_KEY: options.secretsKey,
    };
    const mains = new Map(entries.map((entry) => [entry.name, entry.main]));
    const spawnService = (name: ServiceName) =>
      new ServiceProcess({ name, main: mains.get(name)!, cwd: options.repoRoot, env, onLine: options.onLine });
    const services = new Map<ServiceName, ServiceProcess>();
    for (const entry of entries) services.set(entry.name, spawnService(entry.name));
    return new Stack(services, spawnService);
  }

  /** Starts a service again, e.g. after a fault test killed it. */
  restart(name: ServiceName): ServiceProcess {
    const service = this.spawnService(name);
    this.services.set(name, service);
    return service;
  }

  get(name: ServiceName): ServiceProcess {
    const service = this.services.get(name);
    if (!service) throw new Error(`service ${name} is not part of this stack`);
    return service;
  }

  /** Stops every service, the scheduler first so nothing new is started while the rest drain. */
  async stop(): Promise<void> {
    const ordered = [...this.services.values()].reverse();
    await Promise.all(ordered.map((service) => service.stop()));
  }
}
