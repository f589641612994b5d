import { createClient, type Client } from 'graphql-ws';
import { errorFromGraphQL, errorFromStatus, GatewayError, type GraphQLErrorPayload } from './errors.js';

/** How the live connection to the gateway is doing, for the banner. */
export type ConnectionStatus = 'connecting' | 'connected' | 'reconnecting' | 'unauthorized';

/** Close codes with which the gateway rejects a socket's credentials; retrying cannot help. */
const AUTH_CLOSE_CODES = new Set([4401, 4403]);

export interface GatewayClientOptions {
  /** The gateway's GraphQL endpoint, e.g. `http://127.0.0.1:4000/graphql`. */
  readonly url: string;
  /** Read at every request and every (re)connect, so a new token takes effect at once. */
  readonly token: () => string | null;
  readonly onStatus?: (status: ConnectionStatus) => void;
  readonly fetch?: typeof fetch;
  readonly webSocketImpl?: unknown;
  /**
   * Open the graphql-ws socket (for subscriptions and the connection banner).
   * @default true
   */
  readonly live?: boolean;
  /**
   * Longest wait between reconnect attempts.
   * @default 10000
   */
  readonly maxBackoffMs?: number;
}

export interface SubscriptionHandlers<T> {
  next(data: T): void;
  error?(error: GatewayError): void;
  complete?(): void;
}

/** `ws:`/`wss:` URL of the graphql-ws endpoint served on the same path as HTTP. */
export function webSocketUrl(httpUrl: string): string {
  const url = new URL(httpUrl);
  url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:';
  return url.toString();
}

/** Exponential backoff with full jitter, capped. */
export function backoffMs(retries: number, capMs: number, random: () => number = Math.random): number {
  const ceiling = Math.min(capMs, 500 * 2 ** Math.min(retries, 16));
  return Math.round(ceiling / 2 + (random() * ceiling) / 2);
}

/** Queries and mutations over HTTP; subscriptions over one shared graphql-ws socket. */
export class GatewayClient {
  private readonly ws: Client | undefined;
  private status: ConnectionStatus = 'connecting';
  private readonly fetchImpl: typeof fetch;

  constructor(private readonly options: GatewayClientOptions) {
    this.fetchImpl = options.fetch ?? ((...args) => fetch(...args));
    const cap = options.maxBackoffMs ?? 10_000;
    this.ws =
      options.live === false
        ? undefined
        : createClient({
            url: webSocketUrl(options.url),
            lazy: false,
            ...(options.webSocketImpl ? { webSocketImpl: options.webSocketImpl } : {}),
            connectionParams: () => {
              const token = options.token();
              return token ? { authorization: `Bearer ${token}` } : {};
            },
            keepAlive: 15_000,
            retryAttempts: Number.POSITIVE_INFINITY,
            retryWait: (retries) => new Promise((resolve) => setTimeout(resolve, backoffMs(retries, cap))),
            shouldRetry: (event) => {
              const code = (event as { code?: unknown } | null)?.code;
              if (typeof code === 'number' && AUTH_CLOSE_CODES.has(code)) {
                this.setStatus('unauthorized');
                return false;
              }
              return true;
            },
            onNonLazyError: () => {
              // Reported through the status; retries go on in the background.
            },
            on: {
              connected: () => this.setStatus('connected'),
              closed: () => {
                if (this.status !== 'unauthorized') this.setStatus('reconnecting');
              },
            },
          });
  }

  get connectionStatus(): ConnectionStatus {
    return this.status;
  }

  private setStatus(status: ConnectionStatus): void {
    if (this.status === status) return;
    this.status = status;
    this.options.onStatus?.(status);
  }

  /** Runs a query or mutation; throws a GatewayError carrying the gateway's code and field. */
  async request<T>(query: string, variables: Record<string, unknown> = {}): Promise<T> {
    const token = this.options.token();
    let response: Response;
    try {
      response = await this.fetchImpl(this.options.url, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          accept: 'application/graphql-response+json, application/json',
          ...(token ? { authorization: `Bearer ${token}` } : {}),
        },
        body: JSON.stringify({ query, variables }),
      });
    } catch (error) {
      throw new GatewayError(`The gateway at ${this.options.url} did not answer (${(error as Error).message}).`, 'NETWORK');
    }
    let body: { data?: T | null; errors?: GraphQLErrorPayload[] } | undefined;
    try {
      body = (await response.json()) as typeof body;
    } catch {
      throw errorFromStatus(response.status, response.statusText);
    }
    if (body?.errors && body.errors.length > 0) throw errorFromGraphQL(body.errors);
    if (!response.ok || body?.data == null) throw errorFromStatus(response.status, response.statusText);
    return body.data;
  }

  /**
   * Subscribes until the returned function is called. `variables` is read at every
   * (re)subscribe, so a stream can resume where it left off after a reconnect.
   */
  subscribe<T>(query: string, variables: () => Record<string, unknown>, handlers: SubscriptionHandlers<T>): () => void {
    const payload = {
      query,
      get variables() {
        return variables();
      },
    };
    if (!this.ws) throw new Error('This client was created without a live connection');
    return this.ws.subscribe<T>(payload, {
      next: (result) => {
        if (result.errors && result.errors.length > 0) handlers.error?.(errorFromGraphQL(result.errors as GraphQLErrorPayload[]));
        else if (result.data) handlers.next(result.data as T);
      },
      error: (error) => handlers.error?.(toGatewayError(error)),
      complete: () => handlers.complete?.(),
    });
  }

  async close(): Promise<void> {
    await this.ws?.dispose();
  }
}

function toGatewayError(error: unknown): GatewayError {
  if (Array.isArray(error)) return errorFromGraphQL(error as GraphQLErrorPayload[]);
  if (error instanceof GatewayError) return error;
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code === 'number' && AUTH_CLOSE_CODES.has(code)) {
    const reason = (error as { reason?: string }).reason;
    return new GatewayError(reason || 'The gateway refused the token.', code === 4401 ? 'UNAUTHENTICATED' : 'FORBIDDEN');
  }
  return new GatewayError(error instanceof Error ? error.message : 'The live connection failed.', 'NETWORK');
}
