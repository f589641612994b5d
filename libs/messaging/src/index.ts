export {
  ensureMessagingStreams,
  bytesFromEnv,
  ageFromEnv,
  type MessagingStreams,
  type MessagingStreamsOptions,
} from './ensure-messaging-streams.js';
export { JetStreamTransport, ANY_EVENT, type JetStreamTransportOptions } from './jetstream-transport.js';
export { JetStreamContext } from './jetstream-context.js';
export { envelopeDecoder, inboundDecoder, type DecodedMessage, type MessageDecoder, type RawMessage } from './message-decoders.js';
export { type DeadLetter, type DeadLetterReason } from './dead-letter.js';
export { retryDelayMs, type BackoffOptions } from './backoff.js';
export { currentMessageContext, runWithMessageContext, type MessageContext } from './message-context.js';
export { eventTrace, type EventTrace } from './event-trace.js';
export { CommandServer, type CommandServerOptions, type CommandHandler, type CommandAcceptedInit } from './command-server.js';
export {
  CommandClient,
  type CommandClientOptions,
  type CommandResult,
  type CommandErrorResult,
  type SendOptions,
} from './command-client.js';
export { CommandFailure } from './command-failure.js';
export { RethrowRpcErrorsFilter } from './rethrow-rpc-errors.filter.js';
export { NATS_CONNECTION, MESSAGING_TOPOLOGY, COMMAND_SERVER_OPTIONS, COMMAND_CLIENT_OPTIONS } from './tokens.js';
export {
  parseTraceparent,
  isValidTraceparent,
  formatTraceparent,
  createRootTraceparent,
  childTraceparent,
  cryptoRandom,
  type TraceContext,
  type RandomSource,
} from './trace-context.js';
