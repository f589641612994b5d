/**
 * The JSON-lines protocol between the scripted agent (tools/agents/scripted) and its adapter.
 * One JSON object per stdout line; the `type` field says what it is.
 */
export type ScriptedEvent =
  /** One line of the prompt the agent received; `text` starts with `[prompt] `. */
  | { readonly type: 'prompt'; readonly text: string }
  /** A `print` step. */
  | { readonly type: 'text'; readonly text: string }
  /** An action the agent takes: a file it writes or a command it starts. */
  | { readonly type: 'tool'; readonly text: string }
  /** One line of output of a `run` step's command. */
  | { readonly type: 'output'; readonly stream: 'stdout' | 'stderr'; readonly text: string }
  | {
      readonly type: 'usage';
      readonly input_tokens: number;
      readonly cached_input_tokens: number;
      readonly output_tokens: number;
      readonly cost_usd?: number;
      readonly model?: string;
    }
  | {
      readonly type: 'review';
      readonly verdict: 'approve' | 'request_changes';
      readonly body: string;
      readonly comments: readonly { readonly path: string; readonly line: number; readonly body: string }[];
    }
  /** Always the last event: how the agent is about to exit. */
  | { readonly type: 'result'; readonly exit_code: number; readonly session_id: string; readonly text: string }
  /** A broken playbook or a step that could not be carried out. */
  | { readonly type: 'error'; readonly text: string };

export const PROMPT_PREFIX = '[prompt] ';

export function encodeScriptedEvent(event: ScriptedEvent): string {
  return JSON.stringify(event);
}
