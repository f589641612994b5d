import { randomBytes } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { jetstreamManager } from '@nats-io/jetstream';
import { natsTestContext, type NatsTestContext } from '@cohort/testing';
import { SecretCipher } from './secret-cipher.js';
import { SecretVault } from './secret-vault.js';

describe('SecretVault on a JetStream key-value bucket', () => {
  let ctx: NatsTestContext;
  let vault: SecretVault;
  beforeEach(async () => {
    ctx = await natsTestContext({ label: 'vault' });
    vault = await SecretVault.open(ctx.nc, ctx.topology.buckets.secrets, new SecretCipher(randomBytes(32)));
  });
  afterEach(() => ctx.dispose());

  it('gives a run the global secrets overridden by its repository own', async () => {
    await vault.set({ kind: 'global' }, 'API_TOKEN', 'global-token');
    await vault.set({ kind: 'global' }, 'REGION', 'eu');
    await vault.set({ kind: 'repo', repoId: 'web' }, 'API_TOKEN', 'web-token');
    expect(await vault.resolveForRun('web')).toEqual({ API_TOKEN: 'web-token', REGION: 'eu' });
    expect(await vault.resolveForRun('other')).toEqual({ API_TOKEN: 'global-token', REGION: 'eu' });
    expect(await vault.resolveForRun(undefined)).toEqual({ API_TOKEN: 'global-token', REGION: 'eu' });
  });

  it('stores only ciphertext: the raw stream holds no value in clear, not even an overwritten one', async () => {
    await vault.set({ kind: 'global' }, 'DB_PASSWORD', 'first-plaintext-value');
    await vault.set({ kind: 'global' }, 'DB_PASSWORD', 'second-plaintext-value');
    const jsm = await jetstreamManager(ctx.nc);
    const stream = `KV_${ctx.topology.buckets.secrets}`;
    const info = await jsm.streams.info(stream);
    let raw = '';
    for (let seq = info.state.first_seq; seq <= info.state.last_seq; seq++) {
      const message = await jsm.streams.getMessage(stream, { seq }).catch(() => null);
      if (message) raw += new TextDecoder().decode(message.data);
    }
    expect(raw.length).toBeGreaterThan(0);
    expect(raw).not.toContain('plaintext-value');
    expect(await vault.resolveForRun(undefined)).toEqual({ DB_PASSWORD: 'second-plaintext-value' });
  });

  it('deletes a secret and lists names without values', async () => {
    await vault.set({ kind: 'repo', repoId: 'web' }, 'A', '1');
    await vault.set({ kind: 'repo', repoId: 'web' }, 'B', '2');
    expect(await vault.names({ kind: 'repo', repoId: 'web' })).toEqual(['A', 'B']);
    expect(await vault.delete({ kind: 'repo', repoId: 'web' }, 'A')).toBe(true);
    expect(await vault.delete({ kind: 'repo', repoId: 'web' }, 'A')).toBe(false);
    expect(await vault.resolveForRun('web')).toEqual({ B: '2' });
  });
});
