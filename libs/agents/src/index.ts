export type {
  AgentAdapter,
  AgentCommand,
  BuildCommandInput,
  LogEntry,
  LogEntryKind,
  LogLevel,
  OutputStream,
  ParsedOutput,
  ResumeReason,
  ReviewComment,
  ReviewVerdict,
  RunKind,
  Usage,
} from './agent-adapter.js';
export { UsageAccumulator } from './usage-accumulator.js';
export { AGENT_NAMES, type AgentAdapterOptions, type AgentName, agentAdapter, isAgentName } from './agent-registry.js';
export { claudeCodeAdapter } from './adapters/claude-code-adapter.js';
export { codexAdapter } from './adapters/codex-adapter.js';
export { copilotAdapter, geminiAdapter, opencodeAdapter } from './adapters/plain-text-adapters.js';
export { type ScriptedAdapterOptions, scriptedAdapter } from './adapters/scripted-adapter.js';
export { type ScriptedEvent, PROMPT_PREFIX, encodeScriptedEvent } from './scripted/scripted-events.js';
export { type Playbook, type PlaybookParseResult, type PlaybookStep, parsePlaybook, selectSteps } from './scripted/playbook.js';
export { RUN_KIND_KEYS, runKindKey } from './scripted/run-kind-key.js';
