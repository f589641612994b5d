import { CommandErrorCode } from '@cohort/contracts';

/** Thrown by a command handler to reply with a typed error the caller may show. */
export class CommandFailure extends Error {
  constructor(
    readonly code: Exclude<CommandErrorCode, CommandErrorCode.UNSPECIFIED>,
    message: string,
    /** The offending field of the command, for validation errors (e.g. `params.ticket`). */
    readonly field = '',
  ) {
    super(message);
    this.name = 'CommandFailure';
  }

  static validation(message: string, field = ''): CommandFailure {
    return new CommandFailure(CommandErrorCode.VALIDATION, message, field);
  }

  static notFound(message: string): CommandFailure {
    return new CommandFailure(CommandErrorCode.NOT_FOUND, message);
  }

  static conflict(message: string): CommandFailure {
    return new CommandFailure(CommandErrorCode.CONFLICT, message);
  }
}
