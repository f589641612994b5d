/** Nest injection tokens of the connections service's own providers. */
export const EVENT_STORE = Symbol('EVENT_STORE');
export const SECRET_VAULT = Symbol('SECRET_VAULT');
export const REDACTOR = Symbol('REDACTOR');
