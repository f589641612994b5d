/** Where a secret applies: every run, or the runs of one repository. */
export type SecretScope = { readonly kind: 'global' } | { readonly kind: 'repo'; readonly repoId: string };

const NAME = /^[A-Za-z_][A-Za-z0-9_]{0,127}$/;
const REPO_ID = /^[A-Za-z0-9_-]{1,100}$/;

export type ParsedScope = { ok: true; scope: SecretScope } | { ok: false; message: string };

/** Parses the wire form of a scope: "" or "global", or "repo:<repoId>". */
export function parseScope(raw: string): ParsedScope {
  if (raw === '' || raw === 'global') return { ok: true, scope: { kind: 'global' } };
  const match = /^repo:(.*)$/.exec(raw);
  if (match && REPO_ID.test(match[1]!)) return { ok: true, scope: { kind: 'repo', repoId: match[1]! } };
  return { ok: false, message: `scope ${JSON.stringify(raw)} is invalid: use "global" or "repo:<repoId>"` };
}

/** Secrets become environment variables, so their names follow the rules of those. */
export function validateSecretName(name: string): string | undefined {
  return NAME.test(name)
    ? undefined
    : `secret name ${JSON.stringify(name)} is invalid: use letters, digits and "_", not starting with a digit (at most 128)`;
}

export function formatScope(scope: SecretScope): string {
  return scope.kind === 'global' ? 'global' : `repo:${scope.repoId}`;
}

/** The key-value key of a secret; KV keys allow letters, digits, "-", "_", "." and "/". */
export function secretKey(scope: SecretScope, name: string): string {
  return scope.kind === 'global' ? `global.${name}` : `repo.${scope.repoId}.${name}`;
}
