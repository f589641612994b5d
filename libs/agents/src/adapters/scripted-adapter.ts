import { fileURLToPath } from 'node:url';
import { type AgentAdapter, type LogEntry, type ParsedOutput, type ReviewComment } from '../agent-adapter.js';
import { arrayField, costField, countField, isObject, parseJsonObject, plainLine, stringField } from '../json-line.js';
import { runKindKey } from '../scripted/run-kind-key.js';

export interface ScriptedAdapterOptions {
  /** The scripted agent executable. @default tools/agents/scripted in this repository */
  readonly executable?: string;
  /** A playbook path; without it the agent reads `.cohort/playbook.yaml` in the worktree. */
  readonly playbook?: string;
}

// libs/agents/{src,dist}/adapters/ → repository root: the same depth from sources and from the build.
const DEFAULT_EXECUTABLE = fileURLToPath(new URL('../../../../tools/agents/scripted', import.meta.url));

/** The deterministic agent of tools/agents/scripted: a playbook decides what it does. */
export function scriptedAdapter(options: ScriptedAdapterOptions = {}): AgentAdapter {
  return {
    name: 'scripted',
    buildCommand(input) {
      const args = ['--run-kind', runKindKey(input.runKind, input.resumeReason), '--attempt', String(input.attempt ?? 1)];
      if (options.playbook !== undefined) args.push('--playbook', options.playbook);
      if (input.model !== '') args.push('--model', input.model);
      if (input.sessionId !== undefined) args.push('--session-id', input.sessionId);
      return { command: options.executable ?? DEFAULT_EXECUTABLE, args, env: { ...input.env }, stdin: input.prompt };
    },
    parseLine: parseScriptedLine,
  };
}

function parseScriptedLine(line: string, stream: 'stdout' | 'stderr'): ParsedOutput {
  const event = stream === 'stdout' ? parseJsonObject(line) : undefined;
  if (!event) return plainLine(line, stream);
  const text = stringField(event, 'text') ?? '';
  const entry = (level: LogEntry['level'], kind: LogEntry['kind'], entryText = text): ParsedOutput => ({
    entries: [{ level, kind, text: entryText }],
  });
  switch (stringField(event, 'type')) {
    case 'prompt':
    case 'text':
      return entry('info', 'text');
    case 'tool':
      return entry('info', 'tool');
    case 'output':
      return entry(stringField(event, 'stream') === 'stderr' ? 'warn' : 'info', 'tool');
    case 'error':
      return entry('error', 'error');
    case 'usage': {
      const model = stringField(event, 'model') ?? '';
      const costUsd = costField(event, 'cost_usd');
      return {
        entries: [],
        usage: {
          inputTokens: countField(event, 'input_tokens'),
          cachedInputTokens: countField(event, 'cached_input_tokens'),
          outputTokens: countField(event, 'output_tokens'),
          model,
          ...(costUsd !== undefined ? { costUsd } : {}),
        },
      };
    }
    case 'review': {
      const verdict = stringField(event, 'verdict');
      if (verdict !== 'approve' && verdict !== 'request_changes') return plainLine(line, stream);
      const comments: ReviewComment[] = arrayField(event, 'comments')
        .filter(isObject)
        .map((comment) => ({
          path: stringField(comment, 'path') ?? '',
          line: countField(comment, 'line'),
          body: stringField(comment, 'body') ?? '',
        }));
      const body = stringField(event, 'body') ?? '';
      const summary = `review: ${verdict}${comments.length > 0 ? ` with ${comments.length} comment(s)` : ''}`;
      return { entries: [{ level: 'info', kind: 'result', text: summary }], review: { verdict, body, comments } };
    }
    case 'result': {
      const sessionId = stringField(event, 'session_id');
      const exitCode = countField(event, 'exit_code');
      const parsed = entry(exitCode === 0 ? 'info' : 'error', 'result', text || `exit ${exitCode}`);
      return sessionId ? { ...parsed, sessionId } : parsed;
    }
    default:
      return plainLine(line, stream);
  }
}
