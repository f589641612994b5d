import { InvalidReadQuery } from './read-model-errors.js';

/** Opaque cursors: base64url of a small JSON array, so callers cannot depend on what is inside. */
export function encodeCursor(parts: readonly (string | number)[]): string {
  return Buffer.from(JSON.stringify(parts)).toString('base64url');
}

export function decodeCursor<T extends readonly unknown[]>(cursor: string, check: (parts: unknown[]) => parts is [...T]): T {
  let parts: unknown;
  try {
    parts = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    parts = undefined;
  }
  if (!Array.isArray(parts) || !check(parts)) {
    throw new InvalidReadQuery(
      'after',
      `cursor ${JSON.stringify(cursor.slice(0, 80))} is not one this list gave out; pass the endCursor of the previous page`,
    );
  }
  return parts as unknown as T;
}

export const DEFAULT_PAGE_SIZE = 50;
export const MAX_PAGE_SIZE = 200;

export function pageSize(first: number | undefined): number {
  if (first === undefined) return DEFAULT_PAGE_SIZE;
  if (!Number.isInteger(first) || first < 0) {
    throw new InvalidReadQuery('first', `first must be a whole number from 0 to ${MAX_PAGE_SIZE}, got ${first}`);
  }
  return Math.min(first, MAX_PAGE_SIZE);
}
