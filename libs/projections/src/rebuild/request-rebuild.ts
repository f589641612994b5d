import type { NatsConnection } from '@nats-io/transport-node';
import {
  CommandErrorCode,
  CommandReplySchema,
  RebuildProjectionsSchema,
  create,
  decodeJson,
  encodeJson,
  type Topology,
} from '@cohort/contracts';

export const PROJECTOR_SERVICE = 'projector';
export const REBUILD_COMMAND = 'RebuildProjections';

export type RebuildRequestResult =
  | {
      readonly ok: true;
      /** The generation being built, e.g. 3 (schema `<ns>_g3`). */
      readonly generation: number;
      /** The live checkpoint when the rebuild started. */
      readonly position: number;
    }
  | { readonly ok: false; readonly code: CommandErrorCode; readonly message: string };

/**
 * Asks the active projector to rebuild every projection into a new generation.
 * Resolves once the rebuild has started (it runs on in the projector); the
 * current projections keep serving until the new ones replace them.
 */
export async function requestRebuild(
  nc: NatsConnection,
  topology: Topology,
  options: { readonly timeoutMs?: number } = {},
): Promise<RebuildRequestResult> {
  const timeoutMs = options.timeoutMs ?? 10_000;
  let data: Uint8Array;
  try {
    const reply = await nc.request(
      topology.command(PROJECTOR_SERVICE, REBUILD_COMMAND),
      encodeJson(RebuildProjectionsSchema, create(RebuildProjectionsSchema)),
      {
        timeout: timeoutMs,
      },
    );
    data = reply.data;
  } catch {
    return {
      ok: false,
      code: CommandErrorCode.UNAVAILABLE,
      message: `no projector answered ${REBUILD_COMMAND} within ${timeoutMs} ms; is the projector running (namespace ${topology.namespace})?`,
    };
  }
  const decoded = decodeJson(CommandReplySchema, data);
  if (!decoded.ok)
    return { ok: false, code: CommandErrorCode.INTERNAL, message: `unreadable reply from the projector: ${decoded.error.message}` };
  const { result } = decoded.value;
  if (result.case === 'accepted') {
    const generation = Number(/^g(\d+)$/.exec(result.value.aggregateId)?.[1] ?? 0);
    return { ok: true, generation, position: Number(result.value.position) };
  }
  if (result.case === 'error') return { ok: false, code: result.value.code, message: result.value.message };
  return { ok: false, code: CommandErrorCode.INTERNAL, message: 'the projector replied with neither a result nor an error' };
}
