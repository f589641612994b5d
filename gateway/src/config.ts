import { EnvReader, readServiceBasics, type ServiceBasics } from '@cohort/platform';

/** Bounds on what one request may ask, so one client cannot exhaust the gateway or Postgres. */
export interface QueryLimits {
  /**
   * Deepest field nesting of an operation (GATEWAY_MAX_DEPTH); introspection fields do not count.
   * @default 10
   */
  readonly maxDepth: number;
  /**
   * Highest estimated cost of an operation (GATEWAY_MAX_COST): objects returned, multiplied by
   * `first`/`limit` arguments and by `listSize` for other lists.
   * @default 5000
   */
  readonly maxCost: number;
  /**
   * Assumed length of a list field that takes no `first` or `limit` (GATEWAY_LIST_SIZE).
   * @default 10
   */
  readonly listSize: number;
  /**
   * Longest query text in characters (GATEWAY_MAX_QUERY_LENGTH).
   * @default 50000
   */
  readonly maxQueryLength: number;
  /**
   * Largest HTTP request body, and largest WebSocket message, in bytes (GATEWAY_MAX_BODY_BYTES).
   * @default 1048576 (1 MiB)
   */
  readonly maxBodyBytes: number;
}

/** Settings of the GraphQL gateway, read from the environment once at start-up. */
export interface GatewayConfig extends ServiceBasics {
  /**
   * Port of GraphQL over HTTP and WebSocket, /healthz and /readyz (GATEWAY_PORT); 0 picks a free one.
   * @default 4000
   */
  readonly port: number;
  /**
   * Interface to listen on (GATEWAY_HOST); 0.0.0.0 exposes the gateway beyond this machine.
   * @default 127.0.0.1
   */
  readonly host: string;
  /**
   * Postgres holding the projections (DATABASE_URL). Queries fail with UNAVAILABLE while it is down;
   * mutations and subscriptions do not need it.
   * @default postgres://postgres@127.0.0.1:5432/cohort
   */
  readonly databaseUrl: string;
  /**
   * A token made an admin token named "local-admin" at start-up (COHORT_ADMIN_TOKEN), so a fresh
   * installation can be used at all; at least 16 characters. Never logged.
   * @default none
   */
  readonly adminToken: string | undefined;
  /**
   * Origins allowed to call the gateway from a browser (GATEWAY_CORS_ORIGINS, comma-separated;
   * `*` allows any). Unset: any http://localhost, http://127.0.0.1 or http://[::1] origin, on any port.
   * @default localhost origins
   */
  readonly corsOrigins: readonly string[] | 'localhost';
  /**
   * How long a mutation waits for the owning service to answer (GATEWAY_COMMAND_TIMEOUT_MS).
   * @default 5000
   */
  readonly commandTimeoutMs: number;
  /**
   * How long a query with `atLeast` waits for the projections to catch up (GATEWAY_AT_LEAST_TIMEOUT_MS).
   * @default 5000
   */
  readonly atLeastTimeoutMs: number;
  /**
   * Least time between two `taskLogs` payloads of one subscription (GATEWAY_LOG_FLUSH_MS); lines
   * that arrive meanwhile go out together, a line after a quiet spell at once. 0 sends every
   * line as it comes, at a payload (a GraphQL execution and a socket write) per line.
   * @default 16
   */
  readonly logFlushIntervalMs: number;
  readonly limits: QueryLimits;
}

export const ADMIN_TOKEN_MIN_LENGTH = 16;

export function readGatewayConfig(env: NodeJS.ProcessEnv = process.env): GatewayConfig {
  const read = new EnvReader(env);
  const adminToken = read.string('COHORT_ADMIN_TOKEN', '') || undefined;
  if (adminToken !== undefined && (adminToken.length < ADMIN_TOKEN_MIN_LENGTH || /\s/.test(adminToken))) {
    // The value itself is never repeated: it is a credential.
    read.problem(`COHORT_ADMIN_TOKEN is too weak: use at least ${ADMIN_TOKEN_MIN_LENGTH} characters without spaces`);
  }
  const cors = read.string('GATEWAY_CORS_ORIGINS', '').trim();
  const corsOrigins =
    cors === ''
      ? ('localhost' as const)
      : cors
          .split(',')
          .map((origin) => origin.trim())
          .filter(Boolean);
  if (Array.isArray(corsOrigins)) {
    for (const origin of corsOrigins) {
      if (origin !== '*' && !/^https?:\/\/[^/\s]+$/.test(origin)) {
        read.problem(
          `GATEWAY_CORS_ORIGINS has ${JSON.stringify(origin)}, which is not an origin: use e.g. https://cohort.example.com (no path), or *`,
        );
      }
    }
  }
  const config: GatewayConfig = {
    ...readServiceBasics(read),
    port: read.integer('GATEWAY_PORT', 4000, { min: 0, max: 65_535 }),
    host: read.string('GATEWAY_HOST', '127.0.0.1'),
    databaseUrl: read.string('DATABASE_URL', 'postgres://postgres@127.0.0.1:5432/cohort'),
    adminToken,
    corsOrigins,
    commandTimeoutMs: read.integer('GATEWAY_COMMAND_TIMEOUT_MS', 5000, { min: 100, max: 600_000 }),
    atLeastTimeoutMs: read.integer('GATEWAY_AT_LEAST_TIMEOUT_MS', 5000, { min: 0, max: 60_000 }),
    logFlushIntervalMs: read.integer('GATEWAY_LOG_FLUSH_MS', 16, { min: 0, max: 1000 }),
    limits: {
      maxDepth: read.integer('GATEWAY_MAX_DEPTH', 10, { min: 2, max: 100 }),
      maxCost: read.integer('GATEWAY_MAX_COST', 5000, { min: 1, max: 10_000_000 }),
      listSize: read.integer('GATEWAY_LIST_SIZE', 10, { min: 1, max: 10_000 }),
      maxQueryLength: read.integer('GATEWAY_MAX_QUERY_LENGTH', 50_000, { min: 100, max: 10_000_000 }),
      maxBodyBytes: read.integer('GATEWAY_MAX_BODY_BYTES', 1024 * 1024, { min: 1024, max: 100 * 1024 * 1024 }),
    },
  };
  try {
    new URL(config.databaseUrl);
  } catch {
    read.problem('DATABASE_URL is not a URL: use e.g. postgres://user@host:5432/cohort');
  }
  read.done();
  return config;
}
