/** What an API token may do; each scope includes the ones before it. */
export const SCOPES = ['read', 'write', 'admin'] as const;
export type Scope = (typeof SCOPES)[number];

export function isScope(value: unknown): value is Scope {
  return typeof value === 'string' && (SCOPES as readonly string[]).includes(value);
}

/** The highest scope among those given, or undefined for none. */
export function highestScope(scopes: readonly Scope[]): Scope | undefined {
  let best = -1;
  for (const scope of scopes) best = Math.max(best, SCOPES.indexOf(scope));
  return best < 0 ? undefined : SCOPES[best];
}

/** True when a token with these scopes may do what `needed` allows. */
export function grants(scopes: readonly Scope[], needed: Scope): boolean {
  const highest = highestScope(scopes);
  return highest !== undefined && SCOPES.indexOf(highest) >= SCOPES.indexOf(needed);
}
