/** What a run is: the first attempt, a resume with feedback, or a review of someone else's work. */
export type RunKind = 'initial' | 'resume' | 'review';

/** Why a resume run was scheduled. */
export type ResumeReason = 'ci_failure' | 'review' | 'conflict' | 'user_message';

export type OutputStream = 'stdout' | 'stderr';

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';

export type LogEntryKind = 'text' | 'tool' | 'thinking' | 'result' | 'error';

export interface LogEntry {
  readonly level: LogLevel;
  readonly text: string;
  readonly kind: LogEntryKind;
}

/** Token usage reported by an agent. Each report is an increment to add to the run's total. */
export interface Usage {
  /** Input tokens not served from a prompt cache. */
  readonly inputTokens: number;
  /** Input tokens served from a prompt cache; not included in `inputTokens`, since they are priced apart. */
  readonly cachedInputTokens: number;
  readonly outputTokens: number;
  /** Present only when the agent reports a cost itself. */
  readonly costUsd?: number;
  /** Empty when the agent's output does not name the model. */
  readonly model: string;
}

export interface ReviewComment {
  readonly path: string;
  readonly line: number;
  readonly body: string;
}

export interface ReviewVerdict {
  readonly verdict: 'approve' | 'request_changes';
  readonly body: string;
  readonly comments: readonly ReviewComment[];
}

/** What one line of agent output means. */
export interface ParsedOutput {
  readonly entries: readonly LogEntry[];
  readonly usage?: Usage;
  /** The agent's own session id, for resuming the same conversation later. */
  readonly sessionId?: string;
  /** Review runs: the verdict the agent reached. */
  readonly review?: ReviewVerdict;
}

export interface BuildCommandInput {
  readonly prompt: string;
  /** The worktree the agent runs in (its current directory). */
  readonly workdir: string;
  /** Empty string: the agent's own default model. */
  readonly model: string;
  readonly runKind: RunKind;
  /** Set for resume runs. */
  readonly resumeReason?: ResumeReason;
  /** The run's attempt number, 1-based. @default 1 */
  readonly attempt?: number;
  /** The session id an earlier run reported, to continue that conversation. */
  readonly sessionId?: string;
  /** Extra environment for the agent (connection secrets, API keys). */
  readonly env: Readonly<Record<string, string>>;
}

/** A process to spawn without a shell: the prompt travels in `args` or on `stdin`, never through shell parsing. */
export interface AgentCommand {
  readonly command: string;
  readonly args: readonly string[];
  readonly env: Readonly<Record<string, string>>;
  /** Written to the process's stdin, which is then closed. */
  readonly stdin?: string;
}

export interface AgentAdapter {
  readonly name: string;
  buildCommand(input: BuildCommandInput): AgentCommand;
  /** Never throws: output an adapter does not understand becomes a plain text entry. */
  parseLine(line: string, stream: OutputStream): ParsedOutput;
}
