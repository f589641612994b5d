import { DeliverPolicy, jetstream } from '@nats-io/jetstream';
import { decodeEnvelope, isSubjectToken, type RepoSettings, type Topology } from '@cohort/contracts';
import type { EventStore } from '@cohort/eventstore';
import type { NatsConnection } from '@nats-io/transport-node';
import { repoIdFromName } from './repo-settings.js';

export interface RegisteredRepo {
  readonly id: string;
  readonly settings: RepoSettings;
  /** Version of the repo aggregate, for the next append. */
  readonly version: number;
}

/** The registered repositories, read from the repo aggregates of the event log. */
export class RepoCatalog {
  constructor(
    private readonly store: EventStore,
    private readonly nc: NatsConnection,
    private readonly topology: Topology,
  ) {}

  /** The repo with this id, or undefined when it was never registered. */
  async get(id: string): Promise<RegisteredRepo | undefined> {
    if (!isSubjectToken(id)) return undefined;
    const { events, version } = await this.store.read({ type: 'repo', id });
    let settings: RepoSettings | undefined;
    for (const event of events) {
      if (event.type === 'RepoRegistered' || event.type === 'RepoUpdated') settings = event.data.settings;
    }
    return settings ? { id, settings, version } : undefined;
  }

  /** Finds a repo by its id or by its name ("acme/web" finds the repo "acme-web"). */
  async find(idOrName: string): Promise<RegisteredRepo | undefined> {
    const byId = await this.get(idOrName);
    if (byId) return byId;
    const derived = repoIdFromName(idOrName);
    return derived && derived !== idOrName ? this.get(derived) : undefined;
  }

  /**
   * Every repo's current settings: the last event of each repo subject, which
   * always carries the whole settings. Used to keep names unique.
   */
  async list(): Promise<Array<{ id: string; settings: RepoSettings }>> {
    const js = jetstream(this.nc);
    const consumer = await js.consumers.get(this.topology.streams.events, {
      filter_subjects: this.topology.eventsOf('repo'),
      deliver_policy: DeliverPolicy.LastPerSubject,
    });
    const repos: Array<{ id: string; settings: RepoSettings }> = [];
    const pending = (await consumer.info(true)).num_pending;
    if (pending === 0) {
      await consumer.delete().catch(() => undefined);
      return repos;
    }
    const messages = await consumer.consume({ max_messages: 1_000 });
    try {
      for await (const m of messages) {
        const decoded = decodeEnvelope(m.data);
        if (
          decoded.ok &&
          (decoded.value.type === 'RepoRegistered' || decoded.value.type === 'RepoUpdated') &&
          decoded.value.data.settings
        ) {
          repos.push({ id: decoded.value.aggregateId, settings: decoded.value.data.settings });
        }
        if (m.info.pending === 0) break;
      }
    } finally {
      await messages.close();
      await consumer.delete().catch(() => undefined);
    }
    return repos;
  }
}
