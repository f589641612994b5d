import { availableServices, type ServiceEntry, type ServiceName } from './service-catalog.js';
import { ServiceProcess } from './service-process.js';
import { serviceEnvironment, type HttpEndpoint } from './service-environment.js';

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
  /** HEALTH_PORT of each service; a service not named here serves no health endpoint. @default none */
  readonly healthPorts?: Partial<Record<ServiceName, number>>;
  /** Where the gateway listens (GATEWAY_HOST, GATEWAY_PORT). @default 127.0.0.1, a free port */
  readonly gateway?: HttpEndpoint;
  /** Made an admin token by the gateway at start (COHORT_ADMIN_TOKEN). @default none */
  readonly adminToken?: string;
  /** Where the dashboard listens (HOST, PORT). @default 127.0.0.1, a free port */
  readonly web?: HttpEndpoint;
}

/** Every service as its own process, sharing one NATS namespace. */
export class Stack {
  private constructor(
    readonly services: Map<ServiceName, ServiceProcess>,
    private readonly spawnService: (name: ServiceName) => ServiceProcess,
  ) {}

  static start(options: StackOptions): Stack {
    const entries = availableServices(options.repoRoot).filter((entry) => !options.only || options.only.includes(entry.name));
    const base: NodeJS.ProcessEnv = {
      ...process.env,
      ...options.env,
      NATS_URL: options.natsUrl,
      DATABASE_URL: options.databaseUrl,
      COHORT_NAMESPACE: options.namespace,
      COHORT_DATA_DIR: options.dataDir,
      COHORT_SECRETS_KEY: options.secretsKey,
    };
    const byName = new Map<ServiceName, ServiceEntry>(entries.map((entry) => [entry.name, entry]));
    const spawnService = (name: ServiceName) => {
      const entry = byName.get(name)!;
      return new ServiceProcess({
        name,
        main: entry.main,
        loader: entry.loader,
        cwd: options.repoRoot,
        env: serviceEnvironment(name, base, options),
        onLine: options.onLine,
      });
    };
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
