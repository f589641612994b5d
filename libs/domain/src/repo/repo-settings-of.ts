import type { CohortEvent, RepoSettings } from '@cohort/contracts';

/**
 * A repository's settings as its last RepoRegistered / RepoUpdated carries them
 * (each carries the whole of them); undefined when it was never registered. An
 * event without settings leaves the ones before it in force.
 */
export function repoSettingsOf(events: readonly CohortEvent[]): RepoSettings | undefined {
  let settings: RepoSettings | undefined;
  for (const event of events) {
    if ((event.type === 'RepoRegistered' || event.type === 'RepoUpdated') && event.data.settings) settings = event.data.settings;
  }
  return settings;
}
