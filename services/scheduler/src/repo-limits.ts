import { isSubjectToken } from '@cohort/contracts';
import type { EventStore } from '@cohort/eventstore';

interface Cached {
  readonly limit: number | undefined;
  readonly at: number;
}

/**
 * Each repository's `max_concurrency`, from its RepoRegistered / RepoUpdated
 * events. Cached for a while: a changed limit takes effect at the latest after
 * `ttlMs` on every replica, and at once on the replica that sees the event.
 */
export class RepoLimits {
  private readonly cache = new Map<string, Cached>();

  constructor(
    private readonly store: EventStore,
    private readonly ttlMs: number,
    private readonly clock: () => number = Date.now,
  ) {}

  /** Limits of the given repositories; a repository without one (unknown, or 0) is limited by the global limit only. */
  async limitsOf(repoIds: Iterable<string>): Promise<Map<string, number>> {
    const limits = new Map<string, number>();
    for (const repoId of new Set(repoIds)) {
      if (repoId === '') continue;
      const limit = await this.limitOf(repoId);
      if (limit !== undefined) limits.set(repoId, limit);
    }
    return limits;
  }

  forget(repoId: string): void {
    this.cache.delete(repoId);
  }

  private async limitOf(repoId: string): Promise<number | undefined> {
    const cached = this.cache.get(repoId);
    if (cached !== undefined && this.clock() - cached.at < this.ttlMs) return cached.limit;
    // A repo id that cannot be a subject token has no events to read.
    if (!isSubjectToken(repoId)) return undefined;
    const { events } = await this.store.read({ type: 'repo', id: repoId });
    let limit: number | undefined;
    for (const event of events) {
      if (event.type === 'RepoRegistered' || event.type === 'RepoUpdated') {
        const max = event.data.settings?.maxConcurrency ?? 0;
        limit = max > 0 ? max : undefined;
      }
    }
    this.cache.set(repoId, { limit, at: this.clock() });
    return limit;
  }
}
