import { randomUUID } from 'node:crypto';
import { statSync } from 'node:fs';
import { Inject, Injectable } from '@nestjs/common';
import {
  RepoRegisteredSchema,
  RepoUpdatedSchema,
  create,
  equals,
  RepoSettingsSchema,
  type RegisterRepo,
  type UpdateRepo,
} from '@cohort/contracts';
import { DEFAULT_TEMPLATES } from '@cohort/domain';
import { WrongExpectedVersion, type EventStore } from '@cohort/eventstore';
import { CommandFailure, eventTrace, type CommandAcceptedInit } from '@cohort/messaging';
import { KeyedLock } from '../keyed-lock.js';
import { EVENT_STORE } from '../tokens.js';
import { RepoCatalog } from './repo-catalog.js';
import { REPO_ID, repoIdFromName, validateRepoSettings, type SettingsEnvironment } from './repo-settings.js';

const MAX_ATTEMPTS = 5;

const environment: SettingsEnvironment = {
  isDirectory: (path) => {
    try {
      return statSync(path).isDirectory();
    } catch {
      return false;
    }
  },
  templateIds: Object.keys(DEFAULT_TEMPLATES),
};

/** RegisterRepo and UpdateRepo: the repo aggregate, one per repository. */
@Injectable()
export class RepoCommands {
  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(RepoCatalog) private readonly catalog: RepoCatalog,
  ) {}

  /** One repo command at a time per replica: names are unique across repos, so the check and the append go together. */
  private readonly lock = new KeyedLock();

  register(command: RegisterRepo): Promise<CommandAcceptedInit> {
    return this.lock.run('repos', () => this.registerNow(command));
  }

  update(command: UpdateRepo): Promise<CommandAcceptedInit> {
    return this.lock.run('repos', () => this.updateNow(command));
  }

  private async registerNow(command: RegisterRepo): Promise<CommandAcceptedInit> {
    const settings = this.validate(command.settings!);
    const id = command.repoId.trim() || repoIdFromName(settings.name);
    if (!REPO_ID.test(id)) {
      throw CommandFailure.validation(
        `repoId ${JSON.stringify(command.repoId)} is invalid: use letters, digits, "-" and "_" (at most 100)`,
        'repoId',
      );
    }
    const existing = await this.catalog.get(id);
    if (existing) {
      // The same registration sent twice is accepted once.
      if (equals(RepoSettingsSchema, existing.settings, settings)) {
        const head = await this.store.append({ type: 'repo', id }, [], { expectedVersion: existing.version });
        return { aggregateId: id, eventIds: [], position: String(head.position) };
      }
      throw CommandFailure.conflict(`repo "${id}" is already registered (as "${existing.settings.name}"); change it with updateRepo`);
    }
    await this.assertNameFree(settings.name, id);
    try {
      const result = await this.store.append(
        { type: 'repo', id },
        [{ type: 'RepoRegistered', id: randomUUID(), ...eventTrace(), data: create(RepoRegisteredSchema, { repoId: id, settings }) }],
        { expectedVersion: 0 },
      );
      return { aggregateId: id, eventIds: [...result.eventIds], position: String(result.position) };
    } catch (error) {
      if (error instanceof WrongExpectedVersion)
        throw CommandFailure.conflict(`repo "${id}" was registered at the same time by another request`);
      throw error;
    }
  }

  private async updateNow(command: UpdateRepo): Promise<CommandAcceptedInit> {
    const settings = this.validate(command.settings!);
    const id = command.repoId;
    for (let attempt = 1; ; attempt++) {
      const existing = await this.catalog.get(id);
      if (!existing) throw CommandFailure.notFound(`repo "${id}" is not registered; register it with registerRepo or cohort repo add`);
      if (equals(RepoSettingsSchema, existing.settings, settings)) {
        const head = await this.store.append({ type: 'repo', id }, [], { expectedVersion: existing.version });
        return { aggregateId: id, eventIds: [], position: String(head.position) };
      }
      if (existing.settings.name.toLowerCase() !== settings.name.toLowerCase()) await this.assertNameFree(settings.name, id);
      try {
        const result = await this.store.append(
          { type: 'repo', id },
          [{ type: 'RepoUpdated', id: randomUUID(), ...eventTrace(), data: create(RepoUpdatedSchema, { repoId: id, settings }) }],
          { expectedVersion: existing.version },
        );
        return { aggregateId: id, eventIds: [...result.eventIds], position: String(result.position) };
      } catch (error) {
        if (!(error instanceof WrongExpectedVersion)) throw error;
        if (attempt >= MAX_ATTEMPTS) throw CommandFailure.conflict(`repo "${id}" kept changing while it was updated; try again`);
      }
    }
  }

  private validate(given: NonNullable<RegisterRepo['settings']>) {
    const validated = validateRepoSettings(given, environment);
    if (!validated.ok) throw CommandFailure.validation(validated.problem.message, validated.problem.field);
    return validated.settings;
  }

  private async assertNameFree(name: string, id: string): Promise<void> {
    const taken = (await this.catalog.list()).find((repo) => repo.id !== id && repo.settings.name.toLowerCase() === name.toLowerCase());
    if (taken) throw CommandFailure.conflict(`a repo named "${name}" is already registered as "${taken.id}"`);
  }
}
