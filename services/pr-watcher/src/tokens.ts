/** Nest injection tokens of this service (no emitted decorator metadata: every injection names its token). */
export const PR_WATCHER_CONFIG = Symbol('PR_WATCHER_CONFIG');
export const EVENT_STORE = Symbol('EVENT_STORE');
