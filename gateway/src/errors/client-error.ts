import { randomUUID } from 'node:crypto';
import { GraphQLError, type GraphQLFormattedError } from '../graphql.js';
import { ErrorCode, PASS_THROUGH_CODES } from './gateway-error.js';

export interface ErrorLog {
  error(message: string, context?: string): void;
}

export interface ClientErrorOptions {
  readonly log: ErrorLog;
  /** Masks secret values the request carried. @default no masking */
  readonly redact?: (text: string) => string;
  /** @default crypto.randomUUID */
  readonly newId?: () => string;
}

/** The first non-GraphQL cause of an error (the resolver's own throw), if any. */
export function originalErrorOf(error: unknown): unknown {
  let current = error;
  while (current instanceof GraphQLError && current.originalError !== undefined && current.originalError !== current) {
    current = current.originalError;
  }
  return current;
}

/**
 * What a client sees of an error: the same shape over HTTP and WebSocket,
 * always with `extensions.code`, never a stack trace or a secret. Errors the
 * gateway did not raise on purpose become INTERNAL with a correlation id; their
 * details go to the log under that id.
 */
export function toClientError(formatted: GraphQLFormattedError, error: unknown, options: ClientErrorOptions): GraphQLFormattedError {
  const redact = options.redact ?? ((text: string) => text);
  const original = originalErrorOf(error);
  const shape = (message: string, extensions: Record<string, unknown>): GraphQLFormattedError => ({
    message: redact(message),
    ...(formatted.locations ? { locations: formatted.locations } : {}),
    ...(formatted.path ? { path: formatted.path } : {}),
    extensions,
  });
  if (original instanceof Error && original.name === 'InvalidReadQuery') {
    const field = (original as Error & { field?: unknown }).field;
    return shape(original.message, { code: ErrorCode.BAD_USER_INPUT, field: typeof field === 'string' ? field : '' });
  }
  const infrastructure = infrastructureFailure(original);
  if (infrastructure) {
    const correlationId = (options.newId ?? randomUUID)();
    options.log.error(`${infrastructure.what} [correlation ${correlationId}]: ${describe(original)}`, 'Errors');
    return shape(infrastructure.message, { code: ErrorCode.UNAVAILABLE, correlationId });
  }
  const code = formatted.extensions?.code;
  const raisedOnPurpose = original === undefined || original instanceof GraphQLError;
  if (typeof code === 'string' && PASS_THROUGH_CODES.has(code) && raisedOnPurpose) {
    const { stacktrace: _stacktrace, http: _http, ...extensions } = formatted.extensions ?? {};
    return shape(formatted.message, { ...extensions, code });
  }
  const correlationId = (options.newId ?? randomUUID)();
  options.log.error(`unexpected error [correlation ${correlationId}]: ${redact(describe(original ?? error))}`, 'Errors');
  return shape(`internal error; quote correlation id ${correlationId} when reporting it`, { code: ErrorCode.INTERNAL, correlationId });
}

/** Failures of the infrastructure behind the gateway, named by the error classes of their libraries. */
function infrastructureFailure(error: unknown): { what: string; message: string } | undefined {
  if (!(error instanceof Error)) return undefined;
  switch (error.name) {
    case 'ReadModelUnavailable':
      return {
        what: 'read model unavailable',
        message: 'the projections in Postgres are unavailable, so queries cannot be answered now; mutations and subscriptions still work',
      };
    case 'StoreUnavailable':
      return { what: 'event store unavailable', message: 'the event log (NATS JetStream) did not answer; try again shortly' };
    default:
      return undefined;
  }
}

function describe(error: unknown): string {
  if (error instanceof Error) return `${error.name}: ${error.message}${error.stack ? `\n${error.stack}` : ''}`;
  return String(error);
}
