import { type AgentAdapter, type LogEntry, type ParsedOutput } from '../agent-adapter.js';
import {
  type JsonObject,
  arrayField,
  costField,
  countField,
  isObject,
  objectField,
  parseJsonObject,
  plainLine,
  stringField,
} from '../json-line.js';

/**
 * Claude Code in headless mode: `claude -p --output-format stream-json --verbose`, prompt on stdin.
 * Each stdout line is one message: system/init, assistant (text, thinking, tool_use), user (tool_result), result.
 */
export function claudeCodeAdapter(): AgentAdapter {
  return {
    name: 'claude-code',
    buildCommand(input) {
      // Nobody is there to answer permission prompts; the worktree is the sandbox.
      const args = ['-p', '--output-format', 'stream-json', '--verbose', '--dangerously-skip-permissions'];
      if (input.model !== '') args.push('--model', input.model);
      if (input.sessionId !== undefined) args.push('--resume', input.sessionId);
      return { command: 'claude', args, env: { ...input.env }, stdin: input.prompt };
    },
    parseLine(line, stream) {
      const message = stream === 'stdout' ? parseJsonObject(line) : undefined;
      if (!message) return plainLine(line, stream);
      switch (stringField(message, 'type')) {
        case 'system':
          return parseSystem(message);
        case 'assistant':
          return { entries: contentBlocks(message).flatMap(assistantEntries) };
        case 'user':
          return { entries: contentBlocks(message).flatMap(toolResultEntries) };
        case 'result':
          return parseResult(message);
        default:
          return plainLine(line, stream);
      }
    },
  };
}

function parseSystem(message: JsonObject): ParsedOutput {
  const subtype = stringField(message, 'subtype') ?? 'system';
  const model = stringField(message, 'model');
  const text = subtype === 'init' ? `session started${model ? ` (model ${model})` : ''}` : `system: ${subtype}`;
  const sessionId = stringField(message, 'session_id');
  const entries: LogEntry[] = [{ level: 'debug', kind: 'text', text }];
  return sessionId ? { entries, sessionId } : { entries };
}

function contentBlocks(message: JsonObject): readonly JsonObject[] {
  const inner = objectField(message, 'message');
  return inner ? arrayField(inner, 'content').filter(isObject) : [];
}

function assistantEntries(block: JsonObject): LogEntry[] {
  switch (stringField(block, 'type')) {
    case 'text': {
      const text = stringField(block, 'text') ?? '';
      return text.trim() === '' ? [] : [{ level: 'info', kind: 'text', text }];
    }
    case 'thinking': {
      const text = stringField(block, 'thinking') ?? '';
      return text.trim() === '' ? [] : [{ level: 'debug', kind: 'thinking', text }];
    }
    case 'tool_use':
      return [{ level: 'info', kind: 'tool', text: describeToolUse(block) }];
    default:
      return [];
  }
}

function describeToolUse(block: JsonObject): string {
  const name = stringField(block, 'name') ?? 'tool';
  const input = objectField(block, 'input') ?? {};
  const command = stringField(input, 'command');
  if (command !== undefined) return `${name}: $ ${command}`;
  const path = stringField(input, 'file_path') ?? stringField(input, 'path') ?? stringField(input, 'pattern');
  if (path !== undefined) return `${name}: ${path}`;
  return `${name} ${JSON.stringify(input)}`;
}

function toolResultEntries(block: JsonObject): LogEntry[] {
  if (stringField(block, 'type') !== 'tool_result') return [];
  const content = block['content'];
  const text =
    typeof content === 'string'
      ? content
      : arrayField(block, 'content')
          .filter(isObject)
          .map((part) => stringField(part, 'text') ?? '')
          .join('\n');
  return [{ level: block['is_error'] === true ? 'warn' : 'info', kind: 'tool', text }];
}

function parseResult(message: JsonObject): ParsedOutput {
  const isError = message['is_error'] === true || (stringField(message, 'subtype') ?? 'success') !== 'success';
  const text = stringField(message, 'result') ?? stringField(message, 'subtype') ?? '';
  const entries: LogEntry[] = [{ level: isError ? 'error' : 'info', kind: isError ? 'error' : 'result', text }];
  const sessionId = stringField(message, 'session_id');
  const usage = objectField(message, 'usage');
  const costUsd = costField(message, 'total_cost_usd');
  const parsed: ParsedOutput = sessionId ? { entries, sessionId } : { entries };
  if (!usage) return parsed;
  return {
    ...parsed,
    usage: {
      // Cache writes are billed as (more than) fresh input, so they count as input; only reads are cached input.
      inputTokens: countField(usage, 'input_tokens') + countField(usage, 'cache_creation_input_tokens'),
      cachedInputTokens: countField(usage, 'cache_read_input_tokens'),
      outputTokens: countField(usage, 'output_tokens'),
      model: mainModel(message),
      ...(costUsd !== undefined ? { costUsd } : {}),
    },
  };
}

/** The result names models only in `modelUsage`; the one that cost the most did the work. */
function mainModel(message: JsonObject): string {
  const modelUsage = objectField(message, 'modelUsage');
  if (!modelUsage) return '';
  let best = '';
  let bestCost = -1;
  for (const [model, stats] of Object.entries(modelUsage)) {
    const cost = isObject(stats) ? (costField(stats, 'costUSD') ?? 0) : 0;
    if (cost > bestCost) {
      best = model;
      bestCost = cost;
    }
  }
  return best;
}
