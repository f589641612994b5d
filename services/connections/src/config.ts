import { EnvReader } from '@cohort/platform';
import { parseSecretKey, SecretKeyError } from './secrets/secret-key.js';

/** Settings of the connections service, read from the environment once at start-up. */
export interface ConnectionsConfig {
  /**
   * NATS server(s), comma-separated.
   * @default "nats://127.0.0.1:4222"
   */
  readonly natsUrl: string;
  /**
   * Prefix of every subject, stream and bucket; installations sharing one NATS server differ by it.
   * @default "cohort"
   */
  readonly namespace: string;
  /**
   * Port of /healthz and /readyz; 0 disables the health server.
   * @default 0
   */
  readonly healthPort: number;
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
    natsUrl: read.string('NATS_URL', 'nats://127.0.0.1:4222'),
    namespace: read.string('COHORT_NAMESPACE', 'cohort'),
    healthPort: read.integer('HEALTH_PORT', 0, { min: 0, max: 65535 }),
    secretsKey,
  };
  if (!/^[a-z][a-z0-9_]{0,31}$/.test(config.namespace)) {
    read.problem(
      `COHORT_NAMESPACE=${JSON.stringify(config.namespace)} is invalid: use lower-case letters, digits and "_", starting with a letter (at most 32)`,
    );
  }
  read.done();
  return config;
}
