/** The log stream could not be read (NATS down, stream missing); the message says which run and why. */
export class LogsUnavailable extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'LogsUnavailable';
  }
}

export function logsUnavailable(what: string, cause: unknown): LogsUnavailable {
  if (cause instanceof LogsUnavailable) return cause;
  const reason = cause instanceof Error ? cause.message : String(cause);
  return new LogsUnavailable(`log stream unavailable while ${what}: ${reason}`, { cause });
}
