import { CommandErrorCode } from '@cohort/contracts';
import type { GraphQLError } from '../graphql.js';
import type { CommandErrorResult } from '@cohort/messaging';
import type { GatewayServices } from '../context.js';
import { ErrorCode, gatewayError } from '../errors/gateway-error.js';
import type { CommandCall } from './command-inputs.js';

/** What a mutation returns: the aggregate it acted on, the events it appended and the position to pass as `atLeast`. */
export interface CommandResultNode {
  readonly id: string;
  readonly eventIds: readonly string[];
  readonly position: string;
}

/** Sends the command to its owning service; a refusal becomes the matching GraphQL error. */
export async function sendCommand(services: GatewayServices, command: CommandCall, fallbackId = ''): Promise<CommandResultNode> {
  const result = await services.commands.send(command.service, command.command, command.schema, command.message as never);
  if (!result.ok) throw commandError(result.error, command);
  const { aggregateId, eventIds, position } = result.value;
  return { id: aggregateId || fallbackId, eventIds, position: String(position || '0') };
}

/** Maps a service's typed refusal to the error a client sees. */
export function commandError(error: CommandErrorResult, command: Pick<CommandCall, 'service' | 'command' | 'fieldOf'>): GraphQLError {
  switch (error.code) {
    case CommandErrorCode.VALIDATION:
      return gatewayError(ErrorCode.BAD_USER_INPUT, error.message, { field: command.fieldOf(error.field) });
    case CommandErrorCode.NOT_FOUND:
      return gatewayError(ErrorCode.NOT_FOUND, error.message, error.field ? { field: command.fieldOf(error.field) } : {});
    case CommandErrorCode.CONFLICT:
      return gatewayError(ErrorCode.CONFLICT, error.message, error.field ? { field: command.fieldOf(error.field) } : {});
    case CommandErrorCode.UNAVAILABLE:
      return gatewayError(ErrorCode.UNAVAILABLE, error.message, { service: command.service, correlationId: error.correlationId });
    case CommandErrorCode.INTERNAL:
      return gatewayError(
        ErrorCode.INTERNAL,
        `${command.command} failed inside service ${command.service}; quote correlation id ${error.correlationId} when reporting it`,
        { service: command.service, correlationId: error.correlationId },
      );
  }
}
