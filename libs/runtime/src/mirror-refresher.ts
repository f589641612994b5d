import { refreshMirror } from './mirror.js';

interface Fetched {
  /** When the last successful fetch started. */
  readonly startedAt: number;
  readonly url: string;
}

/**
 * Fetches a repo's mirror for each provision, except when a fetch that
 * started after the provision arrived has already succeeded: that fetch saw
 * everything origin had when the provision was asked for. Under a burst of
 * tasks on one repo, the provisions queued behind a fetch share it instead of
 * fetching once each.
 *
 * Callers serialize per mirror (the runtime's repo lock); times are ticks of
 * this refresher's own counter, so they order exactly.
 */
export class MirrorRefresher {
  #ticks = 0;
  readonly #fetch: typeof refreshMirror;
  readonly #fetched = new Map<string, Fetched>();

  /** @param fetch fetches the mirror; @default refreshMirror */
  constructor(fetch: typeof refreshMirror = refreshMirror) {
    this.#fetch = fetch;
  }

  /** A tick to pass as `arrivedAt`. */
  now(): number {
    return ++this.#ticks;
  }

  /** Like refreshMirror; resolves to an error message when the repo cannot be reached. */
  async refresh(key: string, mirrorDir: string, url: string, arrivedAt: number): Promise<string | undefined> {
    const last = this.#fetched.get(key);
    if (last && last.url === url && last.startedAt > arrivedAt) return undefined;
    const startedAt = this.now();
    const problem = await this.#fetch(mirrorDir, url, last ? { knownUrl: last.url } : {});
    if (problem) this.#fetched.delete(key);
    else this.#fetched.set(key, { startedAt, url });
    return problem;
  }

  /** The mirror was removed: the next provision must create and fetch it. */
  forget(key: string): void {
    this.#fetched.delete(key);
  }
}
