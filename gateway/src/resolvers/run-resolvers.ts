import { lastLogSeq, LogsUnavailable } from '@cohort/projections';
import type { GatewayContext } from '../context.js';
import { unavailable } from '../errors/gateway-error.js';
import type { RunNode } from './row-mapping.js';

/** Run fields that come from the log stream rather than the projections. */
export const runResolvers = {
  async logLines(run: RunNode, _: unknown, { services }: GatewayContext): Promise<number> {
    try {
      return await lastLogSeq({ nc: services.nc, topology: services.topology, taskId: run.taskId, runId: run.id });
    } catch (error) {
      if (error instanceof LogsUnavailable) throw unavailable(error.message);
      throw error;
    }
  },
};
