import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { SecretCipher, SecretDecryptionError } from './secret-cipher.js';
import { parseSecretKey, SecretKeyError } from './secret-key.js';

const cipher = new SecretCipher(randomBytes(32));

describe('SecretCipher (AES-256-GCM)', () => {
  it('round-trips any value (property)', () => {
    fc.assert(
      fc.property(fc.string(), fc.string({ minLength: 1 }), (value, ref) => {
        expect(cipher.decrypt(cipher.encrypt(value, ref), ref)).toBe(value);
      }),
    );
  });

  it('never writes the value in clear and uses a fresh nonce each time', () => {
    const a = cipher.encrypt('ghp_supersecret', 'global/GITHUB_TOKEN');
    const b = cipher.encrypt('ghp_supersecret', 'global/GITHUB_TOKEN');
    expect(a).not.toContain('ghp_supersecret');
    expect(Buffer.from(a.split(':')[3]!, 'base64').toString('utf8')).not.toContain('supersecret');
    expect(a).not.toBe(b);
  });

  it('refuses a ciphertext moved onto another secret', () => {
    const sealed = cipher.encrypt('value', 'global/A');
    expect(() => cipher.decrypt(sealed, 'global/B')).toThrow(SecretDecryptionError);
  });

  it('refuses a tampered ciphertext and a different key, without echoing the value', () => {
    const sealed = cipher.encrypt('hunter2', 'global/A');
    const parts = sealed.split(':');
    const body = Buffer.from(parts[3]!, 'base64');
    body[0] = body[0]! ^ 1;
    const tampered = [parts[0], parts[1], parts[2], body.toString('base64')].join(':');
    expect(() => cipher.decrypt(tampered, 'global/A')).toThrow(/cannot be decrypted/);
    try {
      new SecretCipher(randomBytes(32)).decrypt(sealed, 'global/A');
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(SecretDecryptionError);
      expect((error as Error).message).not.toContain('hunter2');
    }
  });

  it.each(['', 'v1:abc', 'v2:a:b:c', 'not-sealed'])('refuses the malformed stored value %j', (sealed) => {
    expect(() => cipher.decrypt(sealed, 'global/A')).toThrow(SecretDecryptionError);
  });
});

describe('parseSecretKey', () => {
  const key = randomBytes(32);
  it('accepts 64 hex characters and base64 of 32 bytes', () => {
    expect(parseSecretKey(key.toString('hex'))).toEqual(key);
    expect(parseSecretKey(key.toString('base64'))).toEqual(key);
    expect(parseSecretKey(`  ${key.toString('base64')}\n`)).toEqual(key);
  });

  it.each([
    [undefined, /COHORT_SECRETS_KEY is not set/],
    ['', /COHORT_SECRETS_KEY is not set/],
    ['short', /must be 32 bytes/],
    [randomBytes(16).toString('base64'), /must be 32 bytes/],
    [randomBytes(31).toString('hex'), /must be 32 bytes/],
  ])('rejects %j naming the variable and never the value', (raw, message) => {
    try {
      parseSecretKey(raw);
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(SecretKeyError);
      expect((error as Error).message).toMatch(message);
      if (raw) expect((error as Error).message).not.toContain(raw);
    }
  });
});
