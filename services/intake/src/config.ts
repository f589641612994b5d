import { EnvReader, readServiceBasics, type ServiceBasics } from '@cohort/platform';

/** Settings of the intake service, read from the environment once at start-up. */
export interface IntakeConfig extends ServiceBasics {
  /**
   * Agent of a task when neither the command nor its repository names one.
   * @default "scripted"
   */
  readonly defaultAgent: string;
  /**
   * Automatic retries of a failed run, recorded on each new task.
   * @default 3
   */
  readonly maxRetries: number;
  /**
   * Resumes the reconciler may start on its own per task, recorded on each new task.
   * @default 10
   */
  readonly maxAutoResumes: number;
  /**
   * Deliveries of an inbound message that cannot become a task (e.g. its repository is
   * not registered yet) before it is dead-lettered with the reason.
   * @default 5
   */
  readonly inboxMaxDeliveries: number;
  /**
   * First redelivery delay of a failing inbound or event message, doubling each time.
   * @default 1000
   */
  readonly retryDelayMs: number;
}

export function readIntakeConfig(env: NodeJS.ProcessEnv = process.env): IntakeConfig {
  const read = new EnvReader(env);
  const config: IntakeConfig = {
    ...readServiceBasics(read),
    defaultAgent: read.string('INTAKE_DEFAULT_AGENT', 'scripted'),
    maxRetries: read.integer('INTAKE_MAX_RETRIES', 3, { min: 0, max: 100 }),
    maxAutoResumes: read.integer('INTAKE_MAX_AUTO_RESUMES', 10, { min: 0, max: 1000 }),
    inboxMaxDeliveries: read.integer('INTAKE_INBOX_MAX_DELIVERIES', 5, { min: 1, max: 100 }),
    retryDelayMs: read.integer('INTAKE_RETRY_DELAY_MS', 1000, { min: 1, max: 600_000 }),
  };
  if (!/^[a-z][a-z0-9-]{0,63}$/.test(config.defaultAgent)) {
    read.problem(
      `INTAKE_DEFAULT_AGENT=${JSON.stringify(config.defaultAgent)} is not an agent name: use lower-case letters, digits and "-"`,
    );
  }
  read.done();
  return config;
}
