import { CommandErrorCode } from '@cohort/contracts';
import type { CommandResult } from '@cohort/messaging';

/** Prints a command's outcome; returns the process exit code (0 accepted, 1 refused or unavailable). */
export function reportCommand(result: CommandResult, json: boolean, accepted: (aggregateId: string) => string): number {
  if (json) {
    console.log(
      JSON.stringify(
        result.ok
          ? { ok: true, aggregateId: result.value.aggregateId, eventIds: result.value.eventIds, position: result.value.position }
          : { ok: false, error: { ...result.error, code: CommandErrorCode[result.error.code] } },
      ),
    );
  } else if (result.ok) {
    console.log(accepted(result.value.aggregateId));
  } else {
    const field = result.error.field ? ` (field ${result.error.field})` : '';
    console.error(`cohort: ${CommandErrorCode[result.error.code].toLowerCase()}: ${result.error.message}${field}`);
    if (result.error.code === CommandErrorCode.INTERNAL) console.error(`correlation id: ${result.error.correlationId}`);
  }
  return result.ok ? 0 : 1;
}
