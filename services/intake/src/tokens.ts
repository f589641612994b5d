/** Nest injection tokens of the intake service's own providers. */
export const INTAKE_CONFIG = Symbol('INTAKE_CONFIG');
export const EVENT_STORE = Symbol('EVENT_STORE');
