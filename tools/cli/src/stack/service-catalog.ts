import { existsSync } from 'node:fs';
import { join } from 'node:path';

/** The services of the embedded default, in start order: command handlers first, the reconciler last. */
export const SERVICE_NAMES = ['connections', 'intake', 'pod-manager', 'agent-runtime', 'pr-watcher', 'projector', 'scheduler'] as const;

export type ServiceName = (typeof SERVICE_NAMES)[number];

export interface ServiceEntry {
  readonly name: ServiceName;
  readonly main: string;
}

/** The services whose process entry exists in this checkout. */
export function availableServices(repoRoot: string): ServiceEntry[] {
  return SERVICE_NAMES.map((name) => ({ name, main: join(repoRoot, 'services', name, 'src', 'main.ts') })).filter((entry) =>
    existsSync(entry.main),
  );
}
