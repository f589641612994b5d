import { connect, type NatsConnection, type NodeConnectionOptions } from '@nats-io/transport-node';

/**
 * A connection meant to outlive server restarts: it reconnects forever, and
 * publishes made while it is away are buffered and time out as StoreUnavailable
 * rather than failing the process.
 *
 * Async traces are off because capturing a stack for every request was a third
 * of the client's CPU time per append in the benchmark; our errors carry the
 * subject and cause, which is what an operator needs. Any option can be overridden.
 */
export function connectEventLog(options: NodeConnectionOptions): Promise<NatsConnection> {
  return connect({ maxReconnectAttempts: -1, reconnectTimeWait: 250, waitOnFirstConnect: true, noAsyncTraces: true, ...options });
}
