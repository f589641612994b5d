/** Nest injection tokens of this service (no emitted decorator metadata: every injection names its token). */
export const AGENT_RUNTIME_CONFIG = Symbol('AGENT_RUNTIME_CONFIG');
export const EVENT_STORE = Symbol('EVENT_STORE');
export const HEARTBEATS_KV = Symbol('HEARTBEATS_KV');
export const SECRET_REDACTOR = Symbol('SECRET_REDACTOR');
export const PROCESS_LEDGER = Symbol('PROCESS_LEDGER');
