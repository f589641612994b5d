/** The 32-byte key that encrypts secret values at rest, read from the environment. */
export const SECRET_KEY_VARIABLE = 'COHORT_SECRETS_KEY';

export class SecretKeyError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SecretKeyError';
  }
}

/**
 * Parses the key: 64 hex characters or base64 of 32 bytes. The message names the
 * variable and what is accepted, never the value.
 */
export function parseSecretKey(raw: string | undefined, variable = SECRET_KEY_VARIABLE): Buffer {
  if (!raw) {
    throw new SecretKeyError(
      `${variable} is not set: give 32 random bytes as 64 hex characters or base64 (e.g. \`openssl rand -base64 32\`)`,
    );
  }
  const trimmed = raw.trim();
  if (HEX_KEY.test(trimmed)) return Buffer.from(trimmed, 'hex');
  if (BASE64_KEY.test(trimmed)) return Buffer.from(trimmed, 'base64');
  throw new SecretKeyError(
    `${variable} must be 32 bytes written as 64 hex characters or as base64 (44 characters); the value given is neither`,
  );
}

const HEX_KEY = /^[0-9a-fA-F]{64}$/;
const BASE64_KEY = /^[A-Za-z0-9+/]{43}=$/;
