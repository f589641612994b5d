import { DEFAULT_NAMESPACE, namespaceProblem } from '@cohort/contracts';
import type { EnvReader } from './env-config.js';

/** The settings every service reads the same way. */
export interface ServiceBasics {
  /** NATS with JetStream (NATS_URL). @default nats://127.0.0.1:4222 */
  readonly natsUrl: string;
  /** Prefix of every subject, stream and bucket (COHORT_NAMESPACE). @default cohort */
  readonly namespace: string;
  /**
   * Port of /healthz and /readyz (HEALTH_PORT): a port, 0 for a free one (the
   * service reports it), unset or "off" for none.
   * @default off
   */
  readonly healthPort: number | undefined;
}

/** One reading of NATS_URL, COHORT_NAMESPACE and HEALTH_PORT, so they mean the same in every service. */
export function readServiceBasics(read: EnvReader): ServiceBasics {
  const namespace = read.string('COHORT_NAMESPACE', DEFAULT_NAMESPACE);
  if (namespaceProblem(namespace)) {
    read.problem(
      `COHORT_NAMESPACE=${JSON.stringify(namespace)} is invalid: use lower-case letters, digits and "_", starting with a letter (at most 32 characters)`,
    );
  }
  return {
    natsUrl: read.string('NATS_URL', 'nats://127.0.0.1:4222'),
    namespace,
    healthPort: read.optionalPort('HEALTH_PORT'),
  };
}
