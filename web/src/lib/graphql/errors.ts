/** One GraphQL error as the gateway formats it. */
export interface GraphQLErrorPayload {
  readonly message: string;
  readonly path?: readonly (string | number)[];
  readonly extensions?: { readonly code?: unknown; readonly field?: unknown; readonly correlationId?: unknown } & Record<string, unknown>;
}

/**
 * A failed request, with the gateway's `extensions.code` (or `NETWORK` when the
 * gateway did not answer) and, for bad input, the offending field.
 */
export class GatewayError extends Error {
  constructor(
    message: string,
    readonly code: string,
    readonly field?: string,
    readonly correlationId?: string,
    /** Every error of the response, for forms that show several fields at once. */
    readonly all: readonly GraphQLErrorPayload[] = [],
  ) {
    super(message);
    this.name = 'GatewayError';
  }

  /** True when the token is missing, wrong or revoked: the user must sign in again. */
  get isAuth(): boolean {
    return this.code === 'UNAUTHENTICATED';
  }
}

const text = (value: unknown): string | undefined => (typeof value === 'string' && value.length > 0 ? value : undefined);

/** The error a GraphQL response's `errors` array stands for: its first entry, keeping the others. */
export function errorFromGraphQL(errors: readonly GraphQLErrorPayload[]): GatewayError {
  const first = errors[0] ?? { message: 'The gateway answered with an empty error list' };
  const code = text(first.extensions?.code) ?? 'INTERNAL';
  const correlationId = text(first.extensions?.correlationId);
  const message = correlationId && !first.message.includes(correlationId) ? `${first.message} (ref ${correlationId})` : first.message;
  return new GatewayError(message, code, text(first.extensions?.field), correlationId, errors);
}

/** The error for an HTTP answer that carried no GraphQL errors. */
export function errorFromStatus(status: number, statusText: string): GatewayError {
  if (status === 401) return new GatewayError('The gateway did not accept the token; sign in again.', 'UNAUTHENTICATED');
  if (status === 403) return new GatewayError('The token lacks the scope this needs.', 'FORBIDDEN');
  if (status === 413) return new GatewayError('The request is too large for the gateway.', 'BAD_USER_INPUT');
  if (status >= 500) return new GatewayError(`The gateway failed (${status} ${statusText}).`, 'UNAVAILABLE');
  return new GatewayError(`The gateway answered ${status} ${statusText}.`, 'INTERNAL');
}

/**
 * Field errors keyed by the form field they belong to: `input.repoId` → `repoId`,
 * `params.ticket` stays `params.ticket`. Errors without a field go under `''`.
 */
export function fieldErrors(error: GatewayError): Record<string, string> {
  const entries = error.all.length > 0 ? error.all : [{ message: error.message, extensions: { field: error.field } }];
  const out: Record<string, string> = {};
  for (const entry of entries) {
    if (error.code !== 'BAD_USER_INPUT' && text(entry.extensions?.code) !== 'BAD_USER_INPUT') {
      out[''] ??= entry.message;
      continue;
    }
    const key = formField(text(entry.extensions?.field) ?? '');
    out[key] ??= entry.message;
  }
  return out;
}

/** The form's name for a gateway field path. */
export function formField(path: string): string {
  return path.replace(/^input\./, '');
}
