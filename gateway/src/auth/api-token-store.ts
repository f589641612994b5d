import { Kvm, type KV, type KvEntry } from '@nats-io/kv';
import type { NatsConnection } from '@nats-io/transport-node';
import { hashToken, issueToken, sameHash } from './api-token.js';
import { isScope, SCOPES, type Scope } from './scope.js';

/** A stored API token: everything but its value, which only its owner ever sees. */
export interface ApiTokenRecord {
  readonly id: string;
  readonly name: string;
  readonly scopes: readonly Scope[];
  /** SHA-256 of the token, hex; also the record's key. */
  readonly hash: string;
  readonly createdAt: string;
  readonly lastUsedAt?: string;
  /** Made from COHORT_ADMIN_TOKEN rather than by createApiToken. */
  readonly bootstrap?: boolean;
}

export interface ApiTokenStoreOptions {
  /** @default () => new Date() */
  readonly clock?: () => Date;
  /**
   * `lastUsedAt` is written at most this often per token, so authenticating
   * stays a read.
   * @default 60000
   */
  readonly touchIntervalMs?: number;
}

export const BOOTSTRAP_TOKEN_NAME = 'local-admin';

/**
 * API tokens in a NATS KV bucket of the namespace, keyed by the token's hash,
 * so authentication keeps working while Postgres is down and a leaked bucket
 * reveals no usable token.
 */
export class ApiTokenStore {
  private readonly touched = new Map<string, number>();
  private readonly clock: () => Date;
  private readonly touchIntervalMs: number;

  private constructor(
    private readonly kv: KV,
    options: ApiTokenStoreOptions,
  ) {
    this.clock = options.clock ?? (() => new Date());
    this.touchIntervalMs = options.touchIntervalMs ?? 60_000;
  }

  static async open(nc: NatsConnection, bucket: string, options: ApiTokenStoreOptions = {}): Promise<ApiTokenStore> {
    return new ApiTokenStore(await new Kvm(nc).create(bucket, { history: 1 }), options);
  }

  /** The record of a presented token, or undefined when no such token exists (never issued, or revoked). */
  async authenticate(token: string): Promise<ApiTokenRecord | undefined> {
    const hash = hashToken(token);
    const entry = await this.kv.get(hash);
    const record = entry ? decodeRecord(entry) : undefined;
    if (!entry || !record || !sameHash(record.hash, hash)) return undefined;
    this.touch(entry, record);
    return record;
  }

  /** Issues a new token; its value is returned here and never stored. */
  async create(name: string, scopes: readonly Scope[]): Promise<{ record: ApiTokenRecord; value: string }> {
    const issued = issueToken();
    const record: ApiTokenRecord = {
      id: issued.id,
      name,
      scopes: SCOPES.filter((scope) => scopes.includes(scope)),
      hash: hashToken(issued.value),
      createdAt: this.clock().toISOString(),
    };
    await this.kv.create(record.hash, JSON.stringify(record));
    return { record, value: issued.value };
  }

  async list(): Promise<ApiTokenRecord[]> {
    const records: ApiTokenRecord[] = [];
    for await (const key of await this.kv.keys()) {
      const entry = await this.kv.get(key);
      const record = entry && entry.operation === 'PUT' ? decodeRecord(entry) : undefined;
      if (record) records.push(record);
    }
    return records.sort((a, b) => a.createdAt.localeCompare(b.createdAt) || a.id.localeCompare(b.id));
  }

  /** Revokes the token with this id; false when there is none. Takes effect on the next request. */
  async revoke(id: string): Promise<boolean> {
    const record = (await this.list()).find((r) => r.id === id);
    if (!record) return false;
    await this.kv.purge(record.hash);
    return true;
  }

  /**
   * Makes `value` an admin token named "local-admin", replacing a local-admin
   * token made from an earlier value, so changing COHORT_ADMIN_TOKEN revokes the old one.
   */
  async ensureBootstrapToken(value: string): Promise<ApiTokenRecord> {
    const hash = hashToken(value);
    for (const record of await this.list()) {
      if (record.bootstrap && record.hash !== hash) await this.kv.purge(record.hash);
    }
    const existing = await this.kv.get(hash);
    const current = existing && existing.operation === 'PUT' ? decodeRecord(existing) : undefined;
    if (current) return current;
    const record: ApiTokenRecord = {
      id: hash.slice(0, 12),
      name: BOOTSTRAP_TOKEN_NAME,
      scopes: ['admin'],
      hash,
      createdAt: this.clock().toISOString(),
      bootstrap: true,
    };
    // Another replica starting at the same moment may create it first; either record is the same token.
    await this.kv.create(hash, JSON.stringify(record)).catch(async (error: unknown) => {
      if (!(await this.kv.get(hash))) throw error;
    });
    return record;
  }

  private touch(entry: KvEntry, record: ApiTokenRecord): void {
    const now = this.clock();
    const last = this.touched.get(record.hash) ?? (record.lastUsedAt ? Date.parse(record.lastUsedAt) : 0);
    if (now.getTime() - last < this.touchIntervalMs) return;
    this.touched.set(record.hash, now.getTime());
    // Conditional on the revision read: a token revoked meanwhile must not come back.
    void this.kv.update(record.hash, JSON.stringify({ ...record, lastUsedAt: now.toISOString() }), entry.revision).catch(() => undefined);
  }
}

function decodeRecord(entry: KvEntry): ApiTokenRecord | undefined {
  if (entry.operation !== 'PUT') return undefined;
  try {
    const raw = entry.json<Partial<ApiTokenRecord>>();
    if (typeof raw.id !== 'string' || typeof raw.hash !== 'string' || typeof raw.name !== 'string') return undefined;
    if (!Array.isArray(raw.scopes) || !raw.scopes.every(isScope)) return undefined;
    return raw as ApiTokenRecord;
  } catch {
    return undefined;
  }
}
