import { EnvReader, readServiceBasics, type ServiceBasics } from '@cohort/platform';
import { parseSecretKey, SecretKeyError } from './secrets/secret-key.js';

/** Settings of the connections service, read from the environment once at start-up. */
export interface ConnectionsConfig extends ServiceBasics {
  /**
   * COHORT_SECRETS_KEY: the 32-byte key encrypting secret values at rest, as 64 hex
   * characters or base64. Required; losing it makes the stored values unreadable.
   */
  readonly secretsKey: Buffer;
}

export function readConnectionsConfig(env: NodeJS.ProcessEnv = process.env): ConnectionsConfig {
  const read = new EnvReader(env);
  let secretsKey: Buffer = Buffer.alloc(0);
  try {
    secretsKey = parseSecretKey(env.COHORT_SECRETS_KEY);
  } catch (error) {
    if (!(error instanceof SecretKeyError)) throw error;
    read.problem(error.message);
  }
  const config: ConnectionsConfig = {
    ...readServiceBasics(read),
    secretsKey,
  };
  read.done();
  return config;
}
