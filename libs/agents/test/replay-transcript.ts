import { readFileSync } from 'node:fs';
import { type AgentAdapter, type LogEntry, type ReviewVerdict, type Usage } from '../src/agent-adapter.js';
import { UsageAccumulator } from '../src/usage-accumulator.js';

export interface Replay {
  readonly entries: readonly LogEntry[];
  readonly usage: Usage;
  readonly usageReports: number;
  readonly sessionId?: string;
  readonly review?: ReviewVerdict;
}

/** Feeds a recorded stdout transcript to an adapter line by line, as the agent runtime does. */
export function replayTranscript(adapter: AgentAdapter, fixture: string): Replay {
  const text = readFileSync(new URL(`./fixtures/${fixture}`, import.meta.url), 'utf8');
  return replayLines(adapter, text.split('\n'));
}

export function replayLines(adapter: AgentAdapter, lines: readonly string[]): Replay {
  const usage = new UsageAccumulator();
  const entries: LogEntry[] = [];
  let usageReports = 0;
  let sessionId: string | undefined;
  let review: ReviewVerdict | undefined;
  for (const line of lines) {
    const parsed = adapter.parseLine(line, 'stdout');
    entries.push(...parsed.entries);
    if (parsed.usage) {
      usage.add(parsed.usage);
      usageReports += 1;
    }
    sessionId = parsed.sessionId ?? sessionId;
    review = parsed.review ?? review;
  }
  return { entries, usage: usage.total(), usageReports, ...(sessionId ? { sessionId } : {}), ...(review ? { review } : {}) };
}
