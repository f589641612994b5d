import {
  DiscardPolicy,
  JetStreamApiCodes,
  JetStreamApiError,
  RetentionPolicy,
  StorageType,
  type JetStreamManager,
  type StreamConfig,
  type StreamInfo,
} from '@nats-io/jetstream';
import { nanos } from '@nats-io/transport-node';
import type { Topology } from '@cohort/contracts';

const DAY_MS = 24 * 60 * 60 * 1000;
const GIB = 1024 ** 3;

export interface MessagingStreamsOptions {
  /** Replicas of each stream (1 on a single server, 3 in a cluster). @default 1 */
  readonly replicas?: number;
  readonly inbox?: {
    /** Window in which a repeated `Nats-Msg-Id` is dropped as a duplicate. @default 120000 (2 minutes) */
    readonly duplicateWindowMs?: number;
    /** Inbound messages older than this are removed. @default 604800000 (7 days) */
    readonly maxAgeMs?: number;
  };
  readonly dlq?: {
    /** Dead letters older than this are removed. @default 2592000000 (30 days) */
    readonly maxAgeMs?: number;
    /**
     * Oldest dead letters are removed past this size. JetStream reserves it on the
     * server when the stream is created, so test installations keep it small.
     * @default COHORT_DLQ_MAX_BYTES, else 1073741824 (1 GiB)
     */
    readonly maxBytes?: number;
  };
  readonly logs?: {
    /**
     * Agent log lines older than this are removed. The log stream is where
     * finished runs' logs are read from, so this is how long they stay readable.
     * @default COHORT_LOGS_MAX_AGE (e.g. `30d`, `12h`), else 2592000000 (30 days)
     */
    readonly maxAgeMs?: number;
    /**
     * Oldest log lines are removed past this size; reserved on the server like the DLQ's.
     * @default COHORT_LOGS_MAX_BYTES, else 10737418240 (10 GiB)
     */
    readonly maxBytes?: number;
  };
}

export interface MessagingStreams {
  readonly inbox: StreamInfo;
  readonly dlq: StreamInfo;
  readonly logs: StreamInfo;
}

/**
 * Creates the inbox, dead-letter and log streams, or updates their limits to
 * the given options; safe to call from every replica on every start.
 */
export async function ensureMessagingStreams(
  jsm: JetStreamManager,
  topology: Topology,
  options: MessagingStreamsOptions = {},
): Promise<MessagingStreams> {
  const replicas = options.replicas ?? 1;
  const inboxWindowMs = options.inbox?.duplicateWindowMs ?? 2 * 60 * 1000;
  const inboxMaxAgeMs = options.inbox?.maxAgeMs ?? 7 * DAY_MS;
  if (inboxWindowMs > inboxMaxAgeMs) {
    throw new Error(`inbox.duplicateWindowMs (${inboxWindowMs}) cannot be longer than inbox.maxAgeMs (${inboxMaxAgeMs})`);
  }
  const common = { storage: StorageType.File, retention: RetentionPolicy.Limits, discard: DiscardPolicy.Old, num_replicas: replicas };
  const [inbox, dlq, logs] = await Promise.all([
    ensureStream(jsm, {
      ...common,
      name: topology.streams.inbox,
      subjects: [topology.allInbound],
      duplicate_window: nanos(inboxWindowMs),
      max_age: nanos(inboxMaxAgeMs),
    }),
    ensureStream(jsm, {
      ...common,
      name: topology.streams.dlq,
      subjects: [topology.allDlq],
      max_age: nanos(options.dlq?.maxAgeMs ?? 30 * DAY_MS),
      max_bytes: options.dlq?.maxBytes ?? bytesFromEnv('COHORT_DLQ_MAX_BYTES') ?? GIB,
    }),
    ensureStream(jsm, {
      ...common,
      name: topology.streams.logs,
      subjects: [topology.allLogs],
      max_age: nanos(options.logs?.maxAgeMs ?? ageFromEnv('COHORT_LOGS_MAX_AGE') ?? 30 * DAY_MS),
      max_bytes: options.logs?.maxBytes ?? bytesFromEnv('COHORT_LOGS_MAX_BYTES') ?? 10 * GIB,
    }),
  ]);
  return { inbox, dlq, logs };
}

/**
 * Stream sizes are read here rather than in each service's config so that every
 * service and the CLI, which all ensure these streams, agree on them.
 */
export function bytesFromEnv(variable: string, env: NodeJS.ProcessEnv = process.env): number | undefined {
  const raw = env[variable];
  if (raw === undefined || raw === '') return undefined;
  const value = Number(raw);
  if (!Number.isSafeInteger(value) || value < 1024 * 1024) {
    throw new Error(`${variable}=${JSON.stringify(raw)} is not a size in bytes of at least 1048576 (1 MiB)`);
  }
  return value;
}

const AGE_UNITS_MS: Readonly<Record<string, number>> = { s: 1000, m: 60_000, h: 3_600_000, d: DAY_MS };

/** A stream age limit such as `30d`, `12h`, `90m` or `600s`, read here for the same reason as sizes. */
export function ageFromEnv(variable: string, env: NodeJS.ProcessEnv = process.env): number | undefined {
  const raw = env[variable];
  if (raw === undefined || raw === '') return undefined;
  const match = /^(\d+)([smhd])$/.exec(raw.trim());
  const value = match ? Number(match[1]) * AGE_UNITS_MS[match[2]!]! : NaN;
  if (!Number.isSafeInteger(value) || value < 60_000) {
    throw new Error(
      `${variable}=${JSON.stringify(raw)} is not an age of at least one minute: use a whole number with s, m, h or d (e.g. 30d)`,
    );
  }
  return value;
}

type DesiredStream = Partial<StreamConfig> & { name: string; subjects: string[] };

async function ensureStream(jsm: JetStreamManager, desired: DesiredStream): Promise<StreamInfo> {
  const existing = await jsm.streams.info(desired.name).catch((error: unknown) => {
    if (isNotFound(error)) return undefined;
    throw error;
  });
  if (!existing) {
    try {
      return await jsm.streams.add(withDuplicateWindow(desired));
    } catch (error) {
      // Another replica created it between our lookup and our add: fall through to update.
      if (!isAlreadyInUse(error)) throw error;
    }
  }
  // Storage type cannot change on an existing stream; everything else here can.
  const { storage: _storage, ...mutable } = withDuplicateWindow(desired);
  return jsm.streams.update(desired.name, mutable);
}

/** The server refuses a duplicate window (2 minutes by default) longer than max age. */
function withDuplicateWindow(desired: DesiredStream): DesiredStream {
  if (desired.duplicate_window !== undefined || !desired.max_age) return desired;
  return { ...desired, duplicate_window: Math.min(desired.max_age, nanos(2 * 60 * 1000)) };
}

function isNotFound(error: unknown): boolean {
  return error instanceof JetStreamApiError && error.code === JetStreamApiCodes.StreamNotFound;
}

function isAlreadyInUse(error: unknown): boolean {
  return error instanceof JetStreamApiError && error.code === 10058;
}
