import type { Envelope, RepoSettings } from '@cohort/contracts';
import type { EventStore } from '@cohort/eventstore';

/**
 * The repository's settings as its last RepoRegistered / RepoUpdated carries
 * them (each carries the whole of them); undefined when it was never registered.
 */
export function repoSettingsOf(events: readonly Envelope[]): RepoSettings | undefined {
  let settings: RepoSettings | undefined;
  for (const event of events) {
    if ((event.type === 'RepoRegistered' || event.type === 'RepoUpdated') && event.data.settings) settings = event.data.settings;
  }
  return settings;
}

export async function readRepoSettings(store: EventStore, repoId: string): Promise<RepoSettings | undefined> {
  return repoSettingsOf((await store.read({ type: 'repo', id: repoId })).events);
}
