import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

/** Prefix of the tokens this gateway issues; secret scanners can look for it. */
export const TOKEN_PREFIX = 'cohort_';

export interface IssuedToken {
  readonly id: string;
  /** The whole token, shown once to its owner. */
  readonly value: string;
}

/** A new token `cohort_<id>_<secret>`: 12 hex characters of id, 256 random bits of secret. */
export function issueToken(random: (size: number) => Buffer = randomBytes): IssuedToken {
  const id = random(6).toString('hex');
  const secret = random(32).toString('hex');
  return { id, value: `${TOKEN_PREFIX}${id}_${secret}` };
}

/** SHA-256 of a token, hex: what is stored and looked up. A token has 256 bits of entropy, so no salt or slow hash is needed. */
export function hashToken(value: string): string {
  return createHash('sha256').update(value, 'utf8').digest('hex');
}

/** Compares two hex hashes in time that does not depend on where they differ. */
export function sameHash(a: string, b: string): boolean {
  const left = Buffer.from(a, 'hex');
  const right = Buffer.from(b, 'hex');
  return left.length === right.length && left.length > 0 && timingSafeEqual(left, right);
}

export type BearerResult =
  | { readonly ok: true; readonly token: string }
  | { readonly ok: false; readonly reason: 'missing' | 'malformed'; readonly message: string };

/** Reads `Bearer <token>` from an Authorization header value (or a connection_init `authorization`). */
export function parseBearer(header: unknown): BearerResult {
  if (header === undefined || header === null || header === '') {
    return { ok: false, reason: 'missing', message: 'no API token given: send "Authorization: Bearer <token>"' };
  }
  if (typeof header !== 'string') {
    return { ok: false, reason: 'malformed', message: 'the authorization is not a string: send "Bearer <token>"' };
  }
  const match = /^Bearer[ \t]+(\S+)[ \t]*$/i.exec(header);
  if (!match) {
    return { ok: false, reason: 'malformed', message: 'the authorization is not of the form "Bearer <token>"' };
  }
  return { ok: true, token: match[1]! };
}
