import { type AgentAdapter, type BuildCommandInput } from '../agent-adapter.js';
import { plainLine } from '../json-line.js';

/**
 * Agents whose output is logged line by line as text. They report no usage through this path,
 * so the run's usage stays empty unless the runtime prices it some other way.
 */
function plainTextAdapter(name: string, build: (input: BuildCommandInput) => { command: string; args: string[] }): AgentAdapter {
  return {
    name,
    buildCommand(input) {
      const { command, args } = build(input);
      return { command, args, env: { ...input.env } };
    },
    parseLine: plainLine,
  };
}

/** Gemini CLI: `gemini --prompt <prompt> --yolo` (non-interactive, tools approved). */
export function geminiAdapter(): AgentAdapter {
  return plainTextAdapter('gemini', (input) => ({
    command: 'gemini',
    args: ['--yolo', ...modelArgs(input), '--prompt', input.prompt],
  }));
}

/** OpenCode: `opencode run <prompt>`, continuing a session with `--session <id>`. */
export function opencodeAdapter(): AgentAdapter {
  return plainTextAdapter('opencode', (input) => ({
    command: 'opencode',
    args: ['run', ...modelArgs(input), ...(input.sessionId !== undefined ? ['--session', input.sessionId] : []), input.prompt],
  }));
}

/** GitHub Copilot CLI: `copilot -p <prompt> --allow-all-tools`, continuing a session with `--resume <id>`. */
export function copilotAdapter(): AgentAdapter {
  return plainTextAdapter('copilot', (input) => ({
    command: 'copilot',
    args: [
      '--allow-all-tools',
      ...modelArgs(input),
      ...(input.sessionId !== undefined ? ['--resume', input.sessionId] : []),
      '-p',
      input.prompt,
    ],
  }));
}

function modelArgs(input: BuildCommandInput): string[] {
  return input.model !== '' ? ['--model', input.model] : [];
}
