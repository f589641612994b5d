import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

/**
 * The key that encrypts secrets at rest: COHORT_SECRETS_KEY when set, else one
 * generated on the first `up` and kept (mode 0600) in the data dir so secrets
 * stay readable across restarts.
 */
export function ensureSecretsKey(dataDir: string, env: NodeJS.ProcessEnv): string {
  if (env.COHORT_SECRETS_KEY) return env.COHORT_SECRETS_KEY;
  const path = join(dataDir, 'secrets.key');
  if (existsSync(path)) return readFileSync(path, 'utf8').trim();
  mkdirSync(dirname(path), { recursive: true });
  const key = randomBytes(32).toString('base64');
  writeFileSync(path, `${key}\n`, { mode: 0o600 });
  return key;
}
