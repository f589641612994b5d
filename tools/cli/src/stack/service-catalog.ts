import { existsSync } from 'node:fs';
import { join } from 'node:path';

/**
 * Everything `cohort up` runs, in start order: command handlers first, then the
 * read side (projector, gateway, dashboard), the reconciler last.
 */
export const SERVICE_NAMES = [
  'connections',
  'intake',
  'pod-manager',
  'agent-runtime',
  'pr-watcher',
  'projector',
  'gateway',
  'web',
  'scheduler',
] as const;

export type ServiceName = (typeof SERVICE_NAMES)[number];

/** How a process entry runs: TypeScript sources through tsx, or a built JavaScript bundle with plain Node. */
export type ServiceLoader = 'tsx' | 'node';

/** Where a process answers /healthz and /readyz: on HEALTH_PORT, on its own HTTP port, or nowhere. */
export type HealthEndpoint = 'health-port' | 'own-port' | 'none';

export interface ServiceEntry {
  readonly name: ServiceName;
  readonly main: string;
  readonly loader: ServiceLoader;
  readonly health: HealthEndpoint;
}

/** Where each entry lives: services under services/, the gateway at the top, the dashboard as its adapter-node build. */
export function serviceEntry(repoRoot: string, name: ServiceName): ServiceEntry {
  if (name === 'gateway') return { name, main: join(repoRoot, 'gateway', 'src', 'main.ts'), loader: 'tsx', health: 'own-port' };
  if (name === 'web') return { name, main: join(repoRoot, 'web', 'build', 'index.js'), loader: 'node', health: 'none' };
  return { name, main: join(repoRoot, 'services', name, 'src', 'main.ts'), loader: 'tsx', health: 'health-port' };
}

/** The services whose process entry exists in this checkout. */
export function availableServices(repoRoot: string): ServiceEntry[] {
  return SERVICE_NAMES.map((name) => serviceEntry(repoRoot, name)).filter((entry) => existsSync(entry.main));
}
