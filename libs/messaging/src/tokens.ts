/** Nest injection tokens for what the messaging providers need. */
export const NATS_CONNECTION = Symbol('NATS_CONNECTION');
export const MESSAGING_TOPOLOGY = Symbol('MESSAGING_TOPOLOGY');
export const COMMAND_SERVER_OPTIONS = Symbol('COMMAND_SERVER_OPTIONS');
export const COMMAND_CLIENT_OPTIONS = Symbol('COMMAND_CLIENT_OPTIONS');
