import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

export const adminTokenFile = (dataDir: string) => join(dataDir, 'admin.token');

/**
 * The gateway's admin token under `cohort up`: COHORT_ADMIN_TOKEN when set, else
 * one generated on the first `up` and kept (mode 0600) in the data dir, so the
 * dashboard link keeps working across restarts.
 */
export function ensureAdminToken(dataDir: string, configured: string | undefined): string {
  if (configured) return configured;
  const path = adminTokenFile(dataDir);
  if (existsSync(path)) {
    const kept = readFileSync(path, 'utf8').trim();
    if (kept) return kept;
  }
  mkdirSync(dirname(path), { recursive: true });
  const token = `cohort_${randomBytes(32).toString('base64url')}`;
  writeFileSync(path, `${token}\n`, { mode: 0o600 });
  // The mode given to writeFileSync only applies to a new file; an empty one left behind keeps its own.
  chmodSync(path, 0o600);
  return token;
}
