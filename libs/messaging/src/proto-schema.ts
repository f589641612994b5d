import type { create } from '@cohort/contracts';

// @bufbuild/protobuf is reached through @cohort/contracts, which owns that dependency.
/** Descriptor of any proto message (`XxxSchema`). */
export type MessageSchema = Parameters<typeof create>[0];
