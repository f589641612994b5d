import type { ServiceName } from './service-catalog.js';

export interface HttpEndpoint {
  readonly host: string;
  /** 0 lets the process pick a free port. */
  readonly port: number;
}

/** The parts of the stack's options that differ from one service to the next. */
export interface PerServiceOptions {
  readonly healthPorts?: Partial<Record<ServiceName, number>>;
  readonly gateway?: HttpEndpoint;
  readonly adminToken?: string;
  readonly web?: HttpEndpoint;
}

/** Where a browser or client on this machine reaches an endpoint: a wildcard address is reached through loopback. */
export function httpUrlOf(endpoint: HttpEndpoint, path = ''): string {
  const host = endpoint.host === '0.0.0.0' || endpoint.host === '::' ? '127.0.0.1' : endpoint.host;
  return `http://${host.includes(':') ? `[${host}]` : host}:${endpoint.port}${path}`;
}

/**
 * One service's environment: the shared settings, its own health port, and for the
 * gateway and the dashboard where they listen. Without explicit ports they get
 * port 0, so stacks started side by side (tests) never collide.
 */
export function serviceEnvironment(name: ServiceName, base: NodeJS.ProcessEnv, options: PerServiceOptions): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...base };
  const healthPort = options.healthPorts?.[name];
  if (healthPort !== undefined) env.HEALTH_PORT = String(healthPort);
  else delete env.HEALTH_PORT;
  const gateway = options.gateway ?? { host: '127.0.0.1', port: 0 };
  if (name === 'gateway') {
    env.GATEWAY_HOST = gateway.host;
    env.GATEWAY_PORT = String(gateway.port);
    if (options.adminToken) env.COHORT_ADMIN_TOKEN = options.adminToken;
  } else {
    // A credential goes to the one process that needs it.
    delete env.COHORT_ADMIN_TOKEN;
  }
  if (name === 'web') {
    const web = options.web ?? { host: '127.0.0.1', port: 0 };
    env.HOST = web.host;
    env.PORT = String(web.port);
    // The dashboard wants the GraphQL endpoint itself, as the browser reaches it.
    if (gateway.port !== 0) env.COHORT_GATEWAY_URL = httpUrlOf(gateway, '/graphql');
  }
  return env;
}
