import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';

const FORMAT = 'v1';
const IV_BYTES = 12;

export class SecretDecryptionError extends Error {
  constructor(readonly secretRef: string) {
    super(`secret ${secretRef} cannot be decrypted: the key changed or the stored value was tampered with`);
    this.name = 'SecretDecryptionError';
  }
}

/**
 * AES-256-GCM with a random 96-bit nonce per value. The secret's reference
 * (scope and name) is authenticated data, so a ciphertext copied onto another
 * entry fails to decrypt instead of leaking under the wrong name.
 */
export class SecretCipher {
  constructor(private readonly key: Buffer) {
    if (key.length !== 32) throw new Error('AES-256-GCM needs a 32-byte key');
  }

  encrypt(plaintext: string, secretRef: string): string {
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv('aes-256-gcm', this.key, iv);
    cipher.setAAD(Buffer.from(secretRef, 'utf8'));
    const body = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
    return [FORMAT, iv.toString('base64'), cipher.getAuthTag().toString('base64'), body.toString('base64')].join(':');
  }

  decrypt(sealed: string, secretRef: string): string {
    const [format, iv, tag, body] = sealed.split(':');
    if (format !== FORMAT || !iv || !tag || body === undefined) throw new SecretDecryptionError(secretRef);
    try {
      const decipher = createDecipheriv('aes-256-gcm', this.key, Buffer.from(iv, 'base64'));
      decipher.setAAD(Buffer.from(secretRef, 'utf8'));
      decipher.setAuthTag(Buffer.from(tag, 'base64'));
      return Buffer.concat([decipher.update(Buffer.from(body, 'base64')), decipher.final()]).toString('utf8');
    } catch {
      throw new SecretDecryptionError(secretRef);
    }
  }
}
