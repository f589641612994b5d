import type { GraphQLError } from '../graphql.js';
import { forbidden, unauthenticated, unavailable } from '../errors/gateway-error.js';
import { parseBearer } from './api-token.js';
import type { ApiTokenStore } from './api-token-store.js';
import { grants, type Scope } from './scope.js';

/** Who is calling: the token that authenticated the request. */
export interface Principal {
  readonly tokenId: string;
  readonly tokenName: string;
  readonly scopes: readonly Scope[];
}

export type AuthResult =
  { readonly ok: true; readonly principal: Principal } | { readonly ok: false; readonly error: GraphQLError; readonly status: 401 | 503 };

/** Checks an `Authorization` value (HTTP header or connection_init payload) against the token store. */
export async function authenticate(tokens: ApiTokenStore, authorization: unknown): Promise<AuthResult> {
  const bearer = parseBearer(authorization);
  if (!bearer.ok) return { ok: false, status: 401, error: unauthenticated(bearer.message) };
  let record;
  try {
    record = await tokens.authenticate(bearer.token);
  } catch {
    return {
      ok: false,
      status: 503,
      error: unavailable('the API token could not be checked: the token store (NATS) did not answer; try again shortly'),
    };
  }
  if (!record) {
    return { ok: false, status: 401, error: unauthenticated('the API token is not valid: it was never issued or has been revoked') };
  }
  return { ok: true, principal: { tokenId: record.id, tokenName: record.name, scopes: record.scopes } };
}

/** Throws FORBIDDEN unless the principal's token carries `needed` (or a scope above it). */
export function requireScope(principal: Principal, needed: Scope, what: string): void {
  if (grants(principal.scopes, needed)) return;
  throw forbidden(
    `${what} needs the "${needed}" scope; token "${principal.tokenName}" has ${principal.scopes.map((s) => `"${s}"`).join(', ') || 'no scope'}`,
  );
}
