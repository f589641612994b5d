import { Inject, Injectable, type OnApplicationBootstrap } from '@nestjs/common';
import {
  ApproveMergeSchema,
  CancelTaskSchema,
  ChangePrioritySchema,
  CreateTaskSchema,
  RegisterRepoSchema,
  ResumeTaskSchema,
  RetryTaskSchema,
  UpdateRepoSchema,
} from '@cohort/contracts';
import { CommandServer } from '@cohort/messaging';
import { RepoCommands } from './repos/repo-commands.js';
import { TaskCommands } from './tasks/task-commands.js';

/** The commands intake answers on `cohort.cmd.intake.<Command>`. */
export const INTAKE_COMMANDS = [
  'RegisterRepo',
  'UpdateRepo',
  'CreateTask',
  'CancelTask',
  'RetryTask',
  'ResumeTask',
  'ApproveMerge',
  'ChangePriority',
] as const;

@Injectable()
export class IntakeCommands implements OnApplicationBootstrap {
  constructor(
    @Inject(CommandServer) private readonly server: CommandServer,
    @Inject(RepoCommands) private readonly repos: RepoCommands,
    @Inject(TaskCommands) private readonly tasks: TaskCommands,
  ) {}

  onApplicationBootstrap(): void {
    this.server
      .handle('RegisterRepo', RegisterRepoSchema, (command) => this.repos.register(command))
      .handle('UpdateRepo', UpdateRepoSchema, (command) => this.repos.update(command))
      .handle('CreateTask', CreateTaskSchema, (command) => this.tasks.createTask(command))
      .handle('CancelTask', CancelTaskSchema, (data) => this.tasks.command({ type: 'CancelTask', data }))
      .handle('RetryTask', RetryTaskSchema, (data) => this.tasks.command({ type: 'RetryTask', data }))
      .handle('ResumeTask', ResumeTaskSchema, (data) => this.tasks.command({ type: 'ResumeTask', data }))
      .handle('ApproveMerge', ApproveMergeSchema, (data) => this.tasks.command({ type: 'ApproveMerge', data }))
      .handle('ChangePriority', ChangePrioritySchema, (data) => this.tasks.command({ type: 'ChangePriority', data }))
      .listen();
  }
}
