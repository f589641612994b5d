import { CommandErrorCode, ResolveForRunSchema } from '@cohort/contracts';
import type { CommandClient } from '@cohort/messaging';
import type { ResolveRunEnv } from './config.js';

export type RunEnvResult =
  | { readonly ok: true; readonly env: Readonly<Record<string, string>>; readonly warning?: string }
  | { readonly ok: false; readonly message: string; readonly retryable: boolean };

/**
 * Asks the connections service for a run's env (`ResolveForRun`). When it is
 * unavailable the run fails with a retryable error, or — with
 * `requireConnections` off — goes on without connection secrets.
 */
export async function resolveRunEnv(
  request: { readonly taskId: string; readonly runId: string; readonly repoId: string },
  options: {
    readonly client: CommandClient;
    readonly timeoutMs: number;
    readonly requireConnections: boolean;
    readonly override?: ResolveRunEnv | undefined;
  },
): Promise<RunEnvResult> {
  if (options.override) {
    try {
      return { ok: true, env: await options.override(request) };
    } catch (error) {
      return { ok: false, message: `the run's env could not be resolved: ${(error as Error).message}`, retryable: true };
    }
  }
  const reply = await options.client.send('connections', 'ResolveForRun', ResolveForRunSchema, request, {
    timeoutMs: options.timeoutMs,
  });
  if (reply.ok) return { ok: true, env: { ...(reply.value.runEnv?.env ?? {}) } };
  const unavailable = reply.error.code === CommandErrorCode.UNAVAILABLE;
  const message = `connections could not resolve the env of run ${request.runId}: ${reply.error.message}`;
  if (unavailable && !options.requireConnections) {
    return { ok: true, env: {}, warning: `${message}; the agent runs without connection secrets` };
  }
  return { ok: false, message, retryable: unavailable };
}
