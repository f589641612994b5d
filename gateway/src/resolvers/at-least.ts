import { unavailable } from '../errors/gateway-error.js';
import type { GatewayServices } from '../context.js';

/**
 * Waits until the projections have applied `atLeast` (a mutation's position),
 * so a client reads its own writes; UNAVAILABLE naming both positions when they
 * do not get there in time.
 */
export async function awaitProjections(services: GatewayServices, atLeast: bigint | null | undefined): Promise<void> {
  if (atLeast === null || atLeast === undefined || atLeast === 0n) return;
  // Positions past 2^53 cannot be reached by a real log; waiting for one simply times out.
  const position = atLeast > BigInt(Number.MAX_SAFE_INTEGER) ? Number.MAX_SAFE_INTEGER : Number(atLeast);
  try {
    await services.readModel.waitFor(position, services.atLeastTimeoutMs);
  } catch (error) {
    if (!(error instanceof Error) || error.name !== 'ReadModelBehind') throw error;
    const checkpoint = await services.readModel.checkpoint().catch(() => undefined);
    throw unavailable(
      `the projections are behind: they have applied position ${checkpoint ?? 'unknown'}, the query asked for at least ${atLeast} ` +
        `and they did not get there within ${services.atLeastTimeoutMs} ms; try again shortly`,
      { checkpoint: checkpoint === undefined ? null : String(checkpoint), atLeast: String(atLeast) },
    );
  }
}
