import { type AgentAdapter } from './agent-adapter.js';
import { claudeCodeAdapter } from './adapters/claude-code-adapter.js';
import { codexAdapter } from './adapters/codex-adapter.js';
import { copilotAdapter, geminiAdapter, opencodeAdapter } from './adapters/plain-text-adapters.js';
import { type ScriptedAdapterOptions, scriptedAdapter } from './adapters/scripted-adapter.js';

export const AGENT_NAMES = ['claude-code', 'codex', 'copilot', 'gemini', 'opencode', 'scripted'] as const;
export type AgentName = (typeof AGENT_NAMES)[number];

export interface AgentAdapterOptions {
  readonly scripted?: ScriptedAdapterOptions;
}

export function isAgentName(name: string): name is AgentName {
  return (AGENT_NAMES as readonly string[]).includes(name);
}

/** The adapter for an agent name; an unknown name is a configuration error that lists the known ones. */
export function agentAdapter(name: string, options: AgentAdapterOptions = {}): AgentAdapter {
  if (!isAgentName(name)) {
    throw new Error(`unknown agent ${JSON.stringify(name)}; known agents: ${AGENT_NAMES.join(', ')}`);
  }
  switch (name) {
    case 'claude-code':
      return claudeCodeAdapter();
    case 'codex':
      return codexAdapter();
    case 'copilot':
      return copilotAdapter();
    case 'gemini':
      return geminiAdapter();
    case 'opencode':
      return opencodeAdapter();
    case 'scripted':
      return scriptedAdapter(options.scripted);
  }
}
