import { connect, type NatsConnection, type NodeConnectionOptions } from '@nats-io/transport-node';

/**
 * A connection meant to outlive server restarts: it reconnects forever, and
 * publishes made while it is away are buffered and time out as StoreUnavailable
 * rather than failing the process.
 */
export function connectEventLog(options: NodeConnectionOptions): Promise<NatsConnection> {
  return connect({ maxReconnectAttempts: -1, reconnectTimeWait: 250, waitOnFirstConnect: true, ...options });
}
