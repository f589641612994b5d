import { createHash } from 'node:crypto';
import { isAbsolute, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Inject, Injectable } from '@nestjs/common';
import type { JetStreamManager } from '@nats-io/jetstream';
import { ForgeKind, type RepoSettings, type Topology } from '@cohort/contracts';
import { repoSettingsOf } from '@cohort/domain';
import type { EventStore } from '@cohort/eventstore';
import { LocalGitForge, type Forge } from '@cohort/forges';
import type { PrWatcherConfig } from './config.js';
import { EVENT_STORE, PR_WATCHER_CONFIG } from './tokens.js';

export const JETSTREAM_MANAGER = Symbol('JETSTREAM_MANAGER');
export const TOPOLOGY = Symbol('TOPOLOGY');

export interface RepoForge {
  readonly repoId: string;
  readonly forge: Forge;
  /** Where a pull request can be looked at: its record in the local forge. */
  urlOf(number: number): string;
}

export type ForgeLookup = { readonly ok: true; readonly value: RepoForge } | { readonly ok: false; readonly reason: string };

/**
 * The forge of each repository, built from the repo's settings (origin, CI
 * command) and rebuilt when they change. Only local forges exist so far: the
 * origin is a bare repository on this machine and the pull request records live
 * under the data directory, one folder per repository.
 */
@Injectable()
export class ForgeRegistry {
  private readonly forges = new Map<string, { readonly key: string; readonly value: RepoForge }>();

  constructor(
    @Inject(PR_WATCHER_CONFIG) private readonly config: PrWatcherConfig,
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(JETSTREAM_MANAGER) private readonly jsm: JetStreamManager,
    @Inject(TOPOLOGY) private readonly topology: Topology,
  ) {}

  async forRepo(repoId: string): Promise<ForgeLookup> {
    const settings = repoId ? repoSettingsOf((await this.store.read({ type: 'repo', id: repoId })).events) : undefined;
    if (!settings) return { ok: false, reason: `repo ${JSON.stringify(repoId)} is not registered` };
    if (settings.forge !== ForgeKind.LOCAL && settings.forge !== ForgeKind.UNSPECIFIED) {
      return {
        ok: false,
        reason: `repo ${JSON.stringify(repoId)} uses forge ${ForgeKind[settings.forge]}, which this pr-watcher does not serve`,
      };
    }
    const originPath = localPath(settings.url);
    if (originPath === undefined) {
      return {
        ok: false,
        reason: `repo ${JSON.stringify(repoId)} has url ${JSON.stringify(settings.url)}, which is not a path on this machine`,
      };
    }
    const key = JSON.stringify([originPath, settings.ciCommand]);
    const cached = this.forges.get(repoId);
    if (cached?.key === key) return { ok: true, value: cached.value };
    const value = this.build(repoId, originPath, settings);
    this.forges.set(repoId, { key, value });
    return { ok: true, value };
  }

  /** Every registered repository, from the subjects of the repo aggregates in the event stream. */
  async repoIds(): Promise<string[]> {
    const filter = this.topology.eventsOf('repo');
    const info = await this.jsm.streams.info(this.topology.streams.events, { subjects_filter: filter });
    const prefix = filter.slice(0, -1);
    return Object.keys(info.state.subjects ?? {})
      .filter((subject) => subject.startsWith(prefix))
      .map((subject) => subject.slice(prefix.length));
  }

  private build(repoId: string, originPath: string, settings: RepoSettings): RepoForge {
    const storeDir = join(this.config.dataDir, 'forge', storeKey(repoId));
    const forge = new LocalGitForge({
      originPath,
      storeDir,
      ...(settings.ciCommand ? { ciCommand: settings.ciCommand } : {}),
      ciTimeoutMs: this.config.ciTimeoutMs,
      committer: this.config.committer,
    });
    return {
      repoId,
      forge,
      urlOf: (number) => pathToFileURL(join(storeDir, 'pulls', `${String(number).padStart(6, '0')}.json`)).href,
    };
  }
}

/** A local path for `file:` URLs and paths; undefined for network URLs (`https://`, `ssh://`, `git@host:`). */
export function localPath(url: string): string | undefined {
  if (url.startsWith('file:')) return fileURLToPath(url);
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(url) || /^[^/]+@[^/]+:/.test(url)) return undefined;
  return isAbsolute(url) ? url : resolve(url);
}

function storeKey(repoId: string): string {
  const safe = repoId.replace(/[^A-Za-z0-9_-]/g, '_').slice(0, 60);
  return `${safe}-${createHash('sha256').update(repoId).digest('hex').slice(0, 10)}`;
}
