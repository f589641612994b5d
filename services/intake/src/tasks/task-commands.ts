import { randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { CommandErrorCode, TaskKind, type CreateTask, type TaskEvent } from '@cohort/contracts';
import { DEFAULT_TEMPLATES, decide, fold, type CommandError, type DecideContext, type TaskCommand } from '@cohort/domain';
import { WrongExpectedVersion, type EventStore } from '@cohort/eventstore';
import { CommandFailure, eventTrace, type CommandAcceptedInit } from '@cohort/messaging';
import type { IntakeConfig } from '../config.js';
import { taskEvents } from '../event-metadata.js';
import { RepoCatalog } from '../repos/repo-catalog.js';
import { KeyedLock } from '../keyed-lock.js';
import { EVENT_STORE, INTAKE_CONFIG } from '../tokens.js';

/** Attempts of one command against concurrent writers of the same task before giving up with CONFLICT. */
const MAX_ATTEMPTS = 5;
const TASK_ID = /^[A-Za-z0-9_-]{1,128}$/;

export interface AppendChoices {
  /** Ids of the new events, by position; a repeated delivery with the same ids is dropped by the log. */
  readonly eventId?: (event: TaskEvent, index: number) => string;
}

/** Every task command: read the task, let the domain decide, append with the version read. */
@Injectable()
export class TaskCommands {
  private readonly lock = new KeyedLock();

  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(RepoCatalog) private readonly repos: RepoCatalog,
    @Inject(INTAKE_CONFIG) private readonly config: IntakeConfig,
  ) {}

  async createTask(command: CreateTask, choices: AppendChoices = {}): Promise<CommandAcceptedInit> {
    const taskId = command.taskId || randomUUID();
    let cmd: CreateTask = { ...command, taskId };
    const context: DecideContext = {
      now: new Date().toISOString(),
      templates: DEFAULT_TEMPLATES,
      defaultAgent: this.config.defaultAgent,
      maxRetries: this.config.maxRetries,
      maxAutoResumes: this.config.maxAutoResumes,
    };
    let decideContext = context;
    if (command.kind === TaskKind.REPO && command.repoId !== '') {
      const repo = await this.repos.find(command.repoId);
      if (!repo)
        throw CommandFailure.notFound(`repo "${command.repoId}" is not registered; register it with registerRepo or cohort repo add`);
      const { settings } = repo;
      cmd = {
        ...cmd,
        repoId: repo.id,
        model: cmd.model || settings.defaultModel,
        // The repo's template applies only to tasks that bring neither a template nor a prompt.
        templateId: cmd.templateId || (cmd.prompt.trim() === '' ? settings.defaultTemplate : ''),
      };
      decideContext = {
        ...context,
        defaultAgent: settings.defaultAgent || this.config.defaultAgent,
        defaultBaseBranch: settings.defaultBranch || 'main',
        ...(settings.policy ? { repoPolicy: settings.policy } : {}),
      };
    }
    return this.execute({ type: 'CreateTask', data: cmd }, taskId, () => decideContext, choices);
  }

  /** CancelTask, RetryTask, ResumeTask, ApproveMerge and ChangePriority (reviews go to pr-watcher, which owns the forge). */
  async command(command: Exclude<TaskCommand, { type: 'CreateTask' }>): Promise<CommandAcceptedInit> {
    return this.execute(command, command.data.taskId, () => ({ now: new Date().toISOString() }), {});
  }

  private async execute(
    command: TaskCommand,
    taskId: string,
    context: () => DecideContext,
    choices: AppendChoices,
  ): Promise<CommandAcceptedInit> {
    if (!TASK_ID.test(taskId)) {
      throw CommandFailure.validation(
        `taskId ${JSON.stringify(taskId)} may only contain letters, digits, "-" and "_" (1 to 128 characters)`,
        'taskId',
      );
    }
    return this.lock.run(taskId, () => this.decideAndAppend(command, taskId, context, choices));
  }

  private async decideAndAppend(
    command: TaskCommand,
    taskId: string,
    context: () => DecideContext,
    choices: AppendChoices,
  ): Promise<CommandAcceptedInit> {
    const aggregate = { type: 'task', id: taskId } as const;
    for (let attempt = 1; ; attempt++) {
      const { events, version } = await this.store.read(aggregate);
      const state = fold(taskEvents(events));
      const decided = decide(command, state, context());
      if (!decided.ok) throw toFailure(decided.error);
      if (decided.events.length === 0) {
        // Already done (a retried create, a second cancel): the same answer, nothing appended.
        const head = await this.store.append(aggregate, [], { expectedVersion: 'any' });
        const eventIds = command.type === 'CreateTask' && events[0] ? [events[0].id] : [];
        return { aggregateId: taskId, eventIds, position: String(head.position) };
      }
      const trace = eventTrace();
      const newEvents = decided.events.map((event, index) => ({ ...event, id: choices.eventId?.(event, index) ?? randomUUID(), ...trace }));
      try {
        const result = await this.store.append(aggregate, newEvents, { expectedVersion: version });
        return { aggregateId: taskId, eventIds: [...result.eventIds], position: String(result.position) };
      } catch (error) {
        if (!(error instanceof WrongExpectedVersion)) throw error;
        if (attempt >= MAX_ATTEMPTS) {
          throw CommandFailure.conflict(
            `task "${taskId}" kept changing while ${command.type} was applied (${MAX_ATTEMPTS} attempts); try again`,
          );
        }
        // Another replica or reactor wrote meanwhile: back off a little, with jitter, so racers spread out.
        await new Promise((resolve) => setTimeout(resolve, Math.random() * 10 * attempt));
      }
    }
  }
}

function toFailure(error: CommandError): CommandFailure {
  const codes = {
    validation: CommandErrorCode.VALIDATION,
    not_found: CommandErrorCode.NOT_FOUND,
    conflict: CommandErrorCode.CONFLICT,
  } as const satisfies Record<CommandError['code'], CommandErrorCode>;
  return new CommandFailure(codes[error.code], error.message, error.field ?? '');
}
