/** Nest injection tokens of the scheduler (no emitted decorator metadata: every injection names its token). */
export const SCHEDULER = Symbol('SCHEDULER');
