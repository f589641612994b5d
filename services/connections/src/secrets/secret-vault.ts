import type { NatsConnection } from '@nats-io/transport-node';
import { Kvm, type KV } from '@nats-io/kv';
import type { SecretCipher } from './secret-cipher.js';
import { formatScope, secretKey, type SecretScope } from './secret-ref.js';

/**
 * Encrypted secret values in a JetStream key-value bucket. Values go in through
 * `set` and come out only through `resolveForRun`; nothing here logs them.
 */
export class SecretVault {
  private constructor(
    private readonly kv: KV,
    private readonly cipher: SecretCipher,
  ) {}

  static async open(nc: NatsConnection, bucket: string, cipher: SecretCipher): Promise<SecretVault> {
    // History 1: an overwritten value must not linger in the bucket.
    const kv = await new Kvm(nc).create(bucket, { history: 1 });
    return new SecretVault(kv, cipher);
  }

  /** Stores the value encrypted; returns the bucket revision. */
  async set(scope: SecretScope, name: string, value: string): Promise<number> {
    const ref = `${formatScope(scope)}/${name}`;
    return this.kv.put(secretKey(scope, name), this.cipher.encrypt(value, ref));
  }

  /** Removes the value; returns whether there was one. */
  async delete(scope: SecretScope, name: string): Promise<boolean> {
    const key = secretKey(scope, name);
    const existing = await this.kv.get(key);
    if (!existing || existing.operation !== 'PUT') return false;
    await this.kv.purge(key);
    return true;
  }

  /** Names of the stored secrets of a scope; never their values. */
  async names(scope: SecretScope): Promise<string[]> {
    const prefix = secretKey(scope, '');
    const names: string[] = [];
    for await (const key of await this.kv.keys(`${prefix}>`)) names.push(key.slice(prefix.length));
    return names.sort();
  }

  /** The environment of a run: global secrets, overridden by the repo's own. */
  async resolveForRun(repoId: string | undefined): Promise<Record<string, string>> {
    const scopes: SecretScope[] = [{ kind: 'global' }];
    if (repoId) scopes.push({ kind: 'repo', repoId });
    const env: Record<string, string> = {};
    for (const scope of scopes) {
      for (const name of await this.names(scope)) {
        const entry = await this.kv.get(secretKey(scope, name));
        if (entry?.operation === 'PUT') env[name] = this.cipher.decrypt(entry.string(), `${formatScope(scope)}/${name}`);
      }
    }
    return env;
  }
}
