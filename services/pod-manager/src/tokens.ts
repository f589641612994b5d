/** Nest injection tokens of this service (no emitted decorator metadata: every injection names its token). */
export const POD_MANAGER_CONFIG = Symbol('POD_MANAGER_CONFIG');
export const EVENT_STORE = Symbol('EVENT_STORE');
export const WORKSPACE_RUNTIME = Symbol('WORKSPACE_RUNTIME');
