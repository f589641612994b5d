/** Where the dashboard keeps the API token between visits. */
export const TOKEN_KEY = 'cohort.token';

/**
 * Takes `token=…` out of a URL fragment (`cohort up` prints a link with it).
 * Returns the token, if any, and the fragment to leave in the address bar.
 */
export function takeTokenFromFragment(hash: string): { token?: string; rest: string } {
  const raw = hash.startsWith('#') ? hash.slice(1) : hash;
  if (raw.length === 0) return { rest: '' };
  const params = new URLSearchParams(raw);
  const token = params.get('token')?.trim();
  if (token === undefined) return { rest: hash.startsWith('#') ? hash : `#${hash}` };
  params.delete('token');
  const rest = params.toString();
  return { ...(token.length > 0 ? { token } : {}), rest: rest.length > 0 ? `#${rest}` : '' };
}

/** The token store: localStorage in the browser, memory elsewhere. */
export class TokenStore {
  private memory: string | null = null;

  constructor(private readonly storage: Pick<Storage, 'getItem' | 'setItem' | 'removeItem'> | undefined) {}

  get(): string | null {
    try {
      return this.storage?.getItem(TOKEN_KEY) ?? this.memory;
    } catch {
      return this.memory;
    }
  }

  set(token: string): void {
    this.memory = token;
    try {
      this.storage?.setItem(TOKEN_KEY, token);
    } catch {
      // Private mode or storage disabled: the token lasts for this page only.
    }
  }

  clear(): void {
    this.memory = null;
    try {
      this.storage?.removeItem(TOKEN_KEY);
    } catch {
      // Nothing stored to remove.
    }
  }
}
