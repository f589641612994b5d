import { type AgentAdapter, type LogEntry, type ParsedOutput } from '../agent-adapter.js';
import { type JsonObject, arrayField, countField, isObject, objectField, parseJsonObject, plainLine, stringField } from '../json-line.js';

/**
 * OpenAI Codex CLI: `codex exec --json`, prompt on stdin (`-`). JSONL events: thread.started, turn.started,
 * item.started/updated/completed, turn.completed (usage), turn.failed, error.
 */
export function codexAdapter(): AgentAdapter {
  return {
    name: 'codex',
    buildCommand(input) {
      const resume = input.sessionId !== undefined ? ['resume', input.sessionId] : [];
      // Without approvals nobody could answer; workspace-write keeps writes inside the worktree.
      const args = ['exec', ...resume, '--json', '--full-auto', '--skip-git-repo-check'];
      if (input.model !== '') args.push('--model', input.model);
      args.push('-');
      return { command: 'codex', args, env: { ...input.env }, stdin: input.prompt };
    },
    parseLine(line, stream) {
      const event = stream === 'stdout' ? parseJsonObject(line) : undefined;
      if (!event) return plainLine(line, stream);
      switch (stringField(event, 'type')) {
        case 'thread.started': {
          const sessionId = stringField(event, 'thread_id');
          const entries: LogEntry[] = [{ level: 'debug', kind: 'text', text: 'session started' }];
          return sessionId ? { entries, sessionId } : { entries };
        }
        case 'turn.started':
        case 'item.started':
        case 'item.updated':
          // Progress only: the completed item carries everything worth logging.
          return { entries: [] };
        case 'item.completed': {
          const item = objectField(event, 'item');
          return { entries: item ? itemEntries(item) : [] };
        }
        case 'turn.completed':
          return parseTurnCompleted(event);
        case 'turn.failed': {
          const error = objectField(event, 'error');
          const text = (error && stringField(error, 'message')) ?? 'turn failed';
          return { entries: [{ level: 'error', kind: 'error', text }] };
        }
        case 'error':
          return { entries: [{ level: 'error', kind: 'error', text: stringField(event, 'message') ?? line }] };
        default:
          return plainLine(line, stream);
      }
    },
  };
}

function itemEntries(item: JsonObject): LogEntry[] {
  switch (stringField(item, 'type')) {
    case 'agent_message':
      return [{ level: 'info', kind: 'text', text: stringField(item, 'text') ?? '' }];
    case 'reasoning':
      return [{ level: 'debug', kind: 'thinking', text: stringField(item, 'text') ?? '' }];
    case 'command_execution': {
      const exitCode = item['exit_code'];
      const failed = typeof exitCode === 'number' && exitCode !== 0;
      const output = stringField(item, 'aggregated_output') ?? '';
      const header = `$ ${stringField(item, 'command') ?? ''}${typeof exitCode === 'number' ? ` (exit ${exitCode})` : ''}`;
      return [{ level: failed ? 'warn' : 'info', kind: 'tool', text: output === '' ? header : `${header}\n${output}` }];
    }
    case 'file_change': {
      const changes = arrayField(item, 'changes')
        .filter(isObject)
        .map((change) => `${stringField(change, 'kind') ?? 'update'} ${stringField(change, 'path') ?? ''}`);
      return [{ level: 'info', kind: 'tool', text: `files: ${changes.join(', ')}` }];
    }
    case 'mcp_tool_call':
      return [{ level: 'info', kind: 'tool', text: `${stringField(item, 'server') ?? 'mcp'}.${stringField(item, 'tool') ?? ''}` }];
    case 'web_search':
      return [{ level: 'info', kind: 'tool', text: `web search: ${stringField(item, 'query') ?? ''}` }];
    case 'error':
      return [{ level: 'error', kind: 'error', text: stringField(item, 'message') ?? '' }];
    default:
      return [];
  }
}

function parseTurnCompleted(event: JsonObject): ParsedOutput {
  const usage = objectField(event, 'usage');
  if (!usage) return { entries: [] };
  const cached = countField(usage, 'cached_input_tokens');
  return {
    entries: [],
    usage: {
      // Codex counts cached tokens inside input_tokens; Cohort keeps the two apart, as they are priced apart.
      inputTokens: Math.max(0, countField(usage, 'input_tokens') - cached),
      cachedInputTokens: cached,
      outputTokens: countField(usage, 'output_tokens'),
      model: '',
    },
  };
}
