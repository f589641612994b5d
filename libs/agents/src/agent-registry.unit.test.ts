import { describe, expect, it } from 'vitest';
import { AGENT_NAMES, agentAdapter } from './agent-registry.js';

describe('agentAdapter', () => {
  it.each(AGENT_NAMES.map((name) => [name]))('returns the %s adapter by its name', (name) => {
    expect(agentAdapter(name).name).toBe(name);
  });

  it('rejects an unknown agent naming it and every known one', () => {
    expect(() => agentAdapter('claude')).toThrow(
      'unknown agent "claude"; known agents: claude-code, codex, copilot, gemini, opencode, scripted',
    );
  });

  it('hands scripted options to the scripted adapter', () => {
    const command = agentAdapter('scripted', { scripted: { executable: '/x/scripted' } }).buildCommand({
      prompt: '',
      workdir: '/w',
      model: '',
      runKind: 'initial',
      env: {},
    });
    expect(command.command).toBe('/x/scripted');
  });
});
