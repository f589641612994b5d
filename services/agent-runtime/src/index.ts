export { readAgentRuntimeConfig, type AgentRuntimeConfig, type ResolveRunEnv } from './config.js';
export { startAgentRuntime, openHeartbeats, type AgentRuntimeHandle, type StartOptions } from './start-agent-runtime.js';
export { AgentRuntimeModule } from './agent-runtime.module.js';
export { planRun, type RunPlan, type PlanResult } from './run-plan.js';
export type { Heartbeat } from './heartbeats.js';
