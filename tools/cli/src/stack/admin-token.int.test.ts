import { mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { adminTokenFile, ensureAdminToken } from './admin-token.js';

describe('the admin token of cohort up', () => {
  let dataDir: string;
  beforeEach(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'cohort-token-'));
  });
  afterEach(() => rm(dataDir, { recursive: true, force: true }));

  it('is generated once, readable only by its owner, and the same on the next up', async () => {
    const token = ensureAdminToken(dataDir, undefined);
    expect(token).toMatch(/^cohort_[A-Za-z0-9_-]{43}$/);
    expect((await stat(adminTokenFile(dataDir))).mode & 0o777).toBe(0o600);
    expect(ensureAdminToken(dataDir, undefined)).toBe(token);
  });

  it('is COHORT_ADMIN_TOKEN when set, leaving the kept one alone', () => {
    const kept = ensureAdminToken(dataDir, undefined);
    expect(ensureAdminToken(dataDir, 'cohort_configured-token-0123456789')).toBe('cohort_configured-token-0123456789');
    expect(ensureAdminToken(dataDir, undefined)).toBe(kept);
  });

  it('replaces an empty token file with a new token and tightens its mode', async () => {
    await writeFile(adminTokenFile(dataDir), '', { mode: 0o644 });
    expect(ensureAdminToken(dataDir, undefined)).toMatch(/^cohort_/);
    expect((await stat(adminTokenFile(dataDir))).mode & 0o777).toBe(0o600);
  });
});
