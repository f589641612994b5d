import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/**
 * The schema's SDL. It lives next to this file in the sources; a build (tsc)
 * does not copy it, so from dist/ the sources' copy is read instead.
 */
export function loadSchemaSdl(): string {
  const candidates = [new URL('./schema.graphql', import.meta.url), new URL('../../src/schema/schema.graphql', import.meta.url)];
  for (const candidate of candidates) {
    const path = fileURLToPath(candidate);
    if (existsSync(path)) return readFileSync(path, 'utf8');
  }
  throw new Error(`schema.graphql not found next to ${fileURLToPath(import.meta.url)}`);
}
