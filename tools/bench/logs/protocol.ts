/** Messages between the logs benchmark's threads. */

export interface RunRef {
  readonly taskId: string;
  readonly runId: string;
}

/** How clients read: through the gateway's taskLogs subscription, or straight from JetStream. */
export type ReadPath = 'gateway' | 'jetstream';

export type ClientCommand =
  | { readonly type: 'subscribe'; readonly path: ReadPath; readonly runs: readonly RunRef[] }
  | { readonly type: 'finish'; readonly expectedPerRun: number; readonly timeoutMs: number }
  | { readonly type: 'exit' };

export interface RoundStats {
  /** Publish → client latency of every line received, in ms. */
  readonly latenciesMs: number[];
  readonly received: number;
  readonly lost: number;
  readonly duplicated: number;
  readonly outOfOrder: number;
  /** Messages received: a chunk of lines each through the gateway, a line each straight from JetStream. */
  readonly payloads: number;
  /** Lines in the largest message received. */
  readonly largestPayload: number;
}

export type ClientReply =
  | { readonly type: 'subscribed' }
  | { readonly type: 'finished'; readonly stats: RoundStats }
  | { readonly type: 'error'; readonly message: string };

export interface ClientWorkerData {
  readonly natsUrl: string;
  readonly namespace: string;
  readonly gatewayUrl: string;
  readonly token: string;
}

export interface GatewayWorkerData {
  readonly natsUrl: string;
  readonly namespace: string;
  readonly token: string;
  readonly databaseUrl: string;
}

/** Wall-clock time in ms with sub-millisecond precision, comparable across threads. */
export function nowMs(): number {
  return performance.timeOrigin + performance.now();
}
