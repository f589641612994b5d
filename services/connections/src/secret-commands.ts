import { randomUUID } from 'node:crypto';
import { Inject, Injectable, Logger } from '@nestjs/common';
import { toJson } from '@bufbuild/protobuf';
import { ValueSchema, type Value } from '@bufbuild/protobuf/wkt';
import {
  SecretDeletedSchema,
  SecretSetSchema,
  SetSecretSchema,
  create,
  decodeJson,
  type DeleteSecret,
  type ResolveForRun,
  type SetSecret,
} from '@cohort/contracts';
import type { EventStore } from '@cohort/eventstore';
import { CommandFailure, eventTrace, type CommandAcceptedInit } from '@cohort/messaging';
import type { Redactor } from '@cohort/platform';
import { formatScope, parseScope, validateSecretName, type SecretScope } from './secrets/secret-ref.js';
import type { SecretVault } from './secrets/secret-vault.js';
import { EVENT_STORE, REDACTOR, SECRET_VAULT } from './tokens.js';

const REPO_ID = /^[A-Za-z0-9_-]{1,100}$/;

/**
 * SetSecret, DeleteSecret and ResolveForRun. A value goes into the vault
 * encrypted and leaves only in the reply to ResolveForRun; events carry names,
 * scopes and revisions, and every value seen is handed to the log redactor.
 */
@Injectable()
export class SecretCommands {
  private readonly log = new Logger('SecretCommands');

  constructor(
    @Inject(SECRET_VAULT) private readonly vault: SecretVault,
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(REDACTOR) private readonly redactor: Redactor,
  ) {}

  async set(command: SetSecret): Promise<CommandAcceptedInit> {
    this.redactor.add(command.value);
    const scope = this.scopeOf(command.scope);
    this.checkName(command.name);
    const revision = await this.vault.set(scope, command.name, command.value);
    const result = await this.append(scope, command.name, {
      type: 'SecretSet',
      data: create(SecretSetSchema, { name: command.name, scope: formatScope(scope), revision }),
    });
    this.log.log(`secret ${command.name} set in scope ${formatScope(scope)} (revision ${revision})`);
    return result;
  }

  async delete(command: DeleteSecret): Promise<CommandAcceptedInit> {
    const scope = this.scopeOf(command.scope);
    this.checkName(command.name);
    if (!(await this.vault.delete(scope, command.name))) {
      throw CommandFailure.notFound(`secret "${command.name}" is not set in scope ${formatScope(scope)}`);
    }
    const result = await this.append(scope, command.name, {
      type: 'SecretDeleted',
      data: create(SecretDeletedSchema, { name: command.name, scope: formatScope(scope) }),
    });
    this.log.log(`secret ${command.name} deleted from scope ${formatScope(scope)}`);
    return result;
  }

  async resolveForRun(command: ResolveForRun): Promise<CommandAcceptedInit> {
    if (command.repoId !== '' && !REPO_ID.test(command.repoId)) {
      throw CommandFailure.validation(`repoId ${JSON.stringify(command.repoId)} is invalid: use letters, digits, "-" and "_"`, 'repoId');
    }
    const env = await this.vault.resolveForRun(command.repoId || undefined);
    this.redactor.add(...Object.values(env));
    this.log.log(`resolved ${Object.keys(env).length} secret(s) for run ${command.runId} of task ${command.taskId}`);
    return { aggregateId: command.runId, eventIds: [], runEnv: { env } };
  }

  private scopeOf(raw: string): SecretScope {
    const parsed = parseScope(raw);
    if (!parsed.ok) throw CommandFailure.validation(parsed.message, 'scope');
    return parsed.scope;
  }

  private checkName(name: string): void {
    const problem = validateSecretName(name);
    if (problem) throw CommandFailure.validation(problem, 'name');
  }

  private async append(
    scope: SecretScope,
    name: string,
    event:
      | { type: 'SecretSet'; data: ReturnType<typeof create<typeof SecretSetSchema>> }
      | { type: 'SecretDeleted'; data: ReturnType<typeof create<typeof SecretDeletedSchema>> },
  ): Promise<CommandAcceptedInit> {
    const id = secretAggregateId(scope, name);
    const result = await this.store.append(
      { type: 'secret', id },
      [
        {
          ...event,
          id: randomUUID(),
          ...eventTrace(),
        },
      ],
      // The vault holds the truth; the events record what happened to it, in order.
      { expectedVersion: 'any' },
    );
    return { aggregateId: id, eventIds: [...result.eventIds], position: String(result.position) };
  }
}

/** One aggregate per secret: `global-<NAME>` or `repo-<repoId>-<NAME>` (names never contain "-"). */
export function secretAggregateId(scope: SecretScope, name: string): string {
  return scope.kind === 'global' ? `global-${name}` : `repo-${scope.repoId}-${name}`;
}

/**
 * SetSecret arrives as any JSON and is decoded here, because the strict decoder
 * quotes a wrongly typed value in its message ("expected string, got 1234"),
 * and the value of a secret must never come back in an error.
 */
export function decodeSetSecret(raw: Value): SetSecret {
  const decoded = decodeJson(SetSecretSchema, new TextEncoder().encode(JSON.stringify(toJson(ValueSchema, raw))));
  if (decoded.ok) return decoded.value;
  const field = decoded.error.field ?? '';
  if (decoded.error.code === 'wrong_type') {
    throw CommandFailure.validation(
      `${field ? `field "${field}"` : 'SetSecret'} has the wrong type: name, value and scope are strings (what was given is not repeated here)`,
      field,
    );
  }
  throw CommandFailure.validation(decoded.error.message, field);
}
