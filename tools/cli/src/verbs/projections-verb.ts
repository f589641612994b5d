import { parseArgs } from 'node:util';
import { CommandErrorCode } from '@cohort/contracts';
import type { CliConfig } from '../config.js';
import { UsageError } from '../usage.js';
import { openSession } from './session.js';

export const PROJECTIONS_USAGE = `usage: cohort projections rebuild [--timeout <ms>] [--json]
  rebuild          rebuild every read model from the start of the event log into a new
                   generation; the current one keeps serving until the new one has caught up
  --timeout <ms>   how long to wait for the projector to answer (default 30000)`;

export async function projectionsVerb(args: string[], config: CliConfig): Promise<number> {
  const [sub, ...rest] = args;
  if (sub !== 'rebuild') throw new UsageError(sub ? `unknown projections command "${sub}"\n\n${PROJECTIONS_USAGE}` : PROJECTIONS_USAGE);
  const { values } = parseArgs({
    args: rest,
    allowPositionals: false,
    options: { timeout: { type: 'string', default: '30000' }, json: { type: 'boolean', default: false } },
  });
  const timeoutMs = Number(values.timeout);
  if (!Number.isInteger(timeoutMs) || timeoutMs < 1) {
    throw new UsageError(`--timeout must be a whole number of milliseconds, got "${values.timeout}"`);
  }
  // Loaded here, not at the top: the projections library brings the ORM, which no other verb needs.
  const { requestRebuild } = await import('@cohort/projections');
  const session = await openSession(config);
  try {
    const result = await requestRebuild(session.nc, session.topology, { timeoutMs });
    if (values.json) {
      console.log(
        JSON.stringify(
          result.ok
            ? { ok: true, generation: result.generation, position: result.position }
            : { ok: false, error: { code: CommandErrorCode[result.code], message: result.message } },
        ),
      );
    } else if (result.ok) {
      console.log(
        `rebuilding into generation ${result.generation} from the start of the log; the live projections were at position ` +
          `${result.position} and keep serving until the new generation has caught up`,
      );
    } else {
      console.error(`cohort: ${CommandErrorCode[result.code].toLowerCase()}: ${result.message}`);
    }
    return result.ok ? 0 : 1;
  } finally {
    await session.close();
  }
}
