/**
 * Every NATS subject, stream and bucket name Cohort uses, in one place.
 *
 * A namespace prefixes all of them so that several installations (or several
 * tests) can share one NATS server without seeing each other: namespace
 * `cohort` gives subjects `cohort.evt.…` and streams `COHORT_EVENTS`.
 */

export type AggregateType = 'task' | 'repo' | 'secret';

export interface Topology {
  readonly namespace: string;
  readonly streams: {
    readonly events: string;
    readonly logs: string;
    readonly inbox: string;
    readonly dlq: string;
  };
  readonly buckets: {
    /** Non-terminal task ids, kept by the scheduler. */
    readonly activeTasks: string;
    /** Last heartbeat of each running run. */
    readonly heartbeats: string;
    /** Encrypted secret values. */
    readonly secrets: string;
    /** Hashes and scopes of the gateway's API tokens. */
    readonly apiTokens: string;
  };
  /** `cohort.evt.>`: every event. */
  readonly allEvents: string;
  /**
   * `cohort.projected`: core NATS notification the projector publishes after each
   * committed batch, JSON `{ position, taskIds, repoIds }`.
   */
  readonly projected: string;
  eventsOf(aggregateType: AggregateType): string;
  event(aggregateType: AggregateType, aggregateId: string): string;
  command(service: string, command: string): string;
  commandsOf(service: string): string;
  log(taskId: string, runId: string): string;
  logsOfTask(taskId: string): string;
  readonly allLogs: string;
  inbound(source: string, kind: string): string;
  readonly allInbound: string;
  dlq(service: string): string;
  readonly allDlq: string;
  /** Durable consumer name for a service on a stream. */
  consumer(service: string): string;
}

const NAMESPACE_PATTERN = /^[a-z][a-z0-9_]{0,31}$/;
const TOKEN_PATTERN = /^[A-Za-z0-9_-]{1,200}$/;

export class InvalidSubjectTokenError extends Error {
  constructor(
    readonly what: string,
    readonly value: string,
  ) {
    super(`${what} ${JSON.stringify(value)} cannot be used in a subject: use letters, digits, "-" and "_" only (1-200 characters)`);
    this.name = 'InvalidSubjectTokenError';
  }
}

/** Throws unless `value` is one NATS subject token (no dots, spaces or wildcards). */
export function assertSubjectToken(what: string, value: string): string {
  if (!TOKEN_PATTERN.test(value)) throw new InvalidSubjectTokenError(what, value);
  return value;
}

export function isSubjectToken(value: string): boolean {
  return TOKEN_PATTERN.test(value);
}

export const DEFAULT_NAMESPACE = 'cohort';

/** Why a namespace cannot be used, or undefined when it can. */
export function namespaceProblem(namespace: string): string | undefined {
  return NAMESPACE_PATTERN.test(namespace)
    ? undefined
    : `namespace ${JSON.stringify(namespace)} is invalid: use lower-case letters, digits and "_", starting with a letter (at most 32 characters)`;
}

export function topology(namespace: string = DEFAULT_NAMESPACE): Topology {
  const problem = namespaceProblem(namespace);
  if (problem) throw new Error(problem);
  const ns = namespace;
  const upper = namespace.toUpperCase();
  return {
    namespace,
    streams: {
      events: `${upper}_EVENTS`,
      logs: `${upper}_LOGS`,
      inbox: `${upper}_INBOX`,
      dlq: `${upper}_DLQ`,
    },
    buckets: {
      activeTasks: `${upper}_ACTIVE_TASKS`,
      heartbeats: `${upper}_HEARTBEATS`,
      secrets: `${upper}_SECRETS`,
      apiTokens: `${upper}_API_TOKENS`,
    },
    allEvents: `${ns}.evt.>`,
    projected: `${ns}.projected`,
    eventsOf: (aggregateType) => `${ns}.evt.${aggregateType}.*`,
    event: (aggregateType, aggregateId) => `${ns}.evt.${aggregateType}.${assertSubjectToken('aggregate id', aggregateId)}`,
    command: (service, command) => `${ns}.cmd.${assertSubjectToken('service', service)}.${assertSubjectToken('command', command)}`,
    commandsOf: (service) => `${ns}.cmd.${assertSubjectToken('service', service)}.*`,
    log: (taskId, runId) => `${ns}.log.${assertSubjectToken('task id', taskId)}.${assertSubjectToken('run id', runId)}`,
    logsOfTask: (taskId) => `${ns}.log.${assertSubjectToken('task id', taskId)}.*`,
    allLogs: `${ns}.log.>`,
    inbound: (source, kind) => `${ns}.in.${assertSubjectToken('source', source)}.${assertSubjectToken('kind', kind)}`,
    allInbound: `${ns}.in.>`,
    dlq: (service) => `${ns}.dlq.${assertSubjectToken('service', service)}`,
    allDlq: `${ns}.dlq.>`,
    consumer: (service) => assertSubjectToken('service', service),
  };
}
