import { ConfigError, onShutdownSignal } from '@cohort/platform';
import { readAgentRuntimeConfig } from './config.js';
import { startAgentRuntime } from './start-agent-runtime.js';

const log = (message: string) =>
  process.stderr.write(`${JSON.stringify({ time: new Date().toISOString(), service: 'agent-runtime', msg: message })}\n`);

try {
  const config = readAgentRuntimeConfig();
  const runtime = await startAgentRuntime(config);
  log(
    `agent-runtime started (namespace ${config.namespace}${runtime.healthPort !== undefined ? `, health on :${runtime.healthPort}` : ''})`,
  );
  onShutdownSignal(() => runtime.close(), { timeoutMs: 15_000, log });
} catch (error) {
  log(error instanceof ConfigError ? error.message : `agent-runtime failed to start: ${(error as Error).message}`);
  process.exit(1);
}
