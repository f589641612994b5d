import { GraphQLError } from '../graphql.js';

/**
 * The `extensions.code` values this gateway sets. GraphQL's own request errors
 * keep Apollo's codes: GRAPHQL_PARSE_FAILED, GRAPHQL_VALIDATION_FAILED,
 * OPERATION_RESOLUTION_FAILURE (and BAD_USER_INPUT for variables of the wrong type).
 */
export const ErrorCode = {
  /** An argument is wrong; `extensions.field` names it, e.g. `input.repoId`. */
  BAD_USER_INPUT: 'BAD_USER_INPUT',
  /** The thing the mutation acts on does not exist. */
  NOT_FOUND: 'NOT_FOUND',
  /** The command is valid but not in the current state of things (e.g. cancelling a completed task). */
  CONFLICT: 'CONFLICT',
  /** No token, or a token that is not (or no longer) valid. */
  UNAUTHENTICATED: 'UNAUTHENTICATED',
  /** The token lacks the scope named in the message. */
  FORBIDDEN: 'FORBIDDEN',
  /** A service did not answer, or Postgres is down, or the projections are behind; the message says which. */
  UNAVAILABLE: 'UNAVAILABLE',
  /** A bug or broken infrastructure; `extensions.correlationId` finds the details in the logs. */
  INTERNAL: 'INTERNAL',
  /** The HTTP request itself is malformed (e.g. a body that is not JSON). */
  BAD_REQUEST: 'BAD_REQUEST',
  QUERY_TOO_DEEP: 'QUERY_TOO_DEEP',
  QUERY_TOO_COSTLY: 'QUERY_TOO_COSTLY',
  QUERY_TOO_LONG: 'QUERY_TOO_LONG',
  REQUEST_TOO_LARGE: 'REQUEST_TOO_LARGE',
} as const;
export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];

export function gatewayError(code: ErrorCode, message: string, extensions: Record<string, unknown> = {}): GraphQLError {
  return new GraphQLError(message, { extensions: { code, ...extensions } });
}

export const badUserInput = (message: string, field: string): GraphQLError => gatewayError(ErrorCode.BAD_USER_INPUT, message, { field });
export const notFound = (message: string): GraphQLError => gatewayError(ErrorCode.NOT_FOUND, message);
export const unauthenticated = (message: string): GraphQLError => gatewayError(ErrorCode.UNAUTHENTICATED, message);
export const forbidden = (message: string): GraphQLError => gatewayError(ErrorCode.FORBIDDEN, message);
export const unavailable = (message: string, extensions: Record<string, unknown> = {}): GraphQLError =>
  gatewayError(ErrorCode.UNAVAILABLE, message, extensions);

/** The codes a client may see as they were set; anything else becomes INTERNAL. */
export const PASS_THROUGH_CODES: ReadonlySet<string> = new Set([
  ...Object.values(ErrorCode),
  'GRAPHQL_PARSE_FAILED',
  'GRAPHQL_VALIDATION_FAILED',
  'OPERATION_RESOLUTION_FAILURE',
  'PERSISTED_QUERY_NOT_FOUND',
  'PERSISTED_QUERY_NOT_SUPPORTED',
]);
