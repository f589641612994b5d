import { LogStream, type LogLine } from '@cohort/contracts';

/** The GraphQL `LogLine` of a stored line. */
export interface LogLineNode {
  readonly taskId: string;
  readonly runId: string;
  readonly seq: number;
  readonly stream: 'stdout' | 'stderr' | 'system';
  readonly text: string;
  readonly at: string;
}

export function logLineNode(line: LogLine): LogLineNode {
  return {
    taskId: line.taskId,
    runId: line.runId,
    seq: line.seq,
    // Lines from before the stream was recorded count as the agent's output.
    stream: line.stream === LogStream.STDERR ? 'stderr' : line.stream === LogStream.SYSTEM ? 'system' : 'stdout',
    text: line.text,
    at: line.at,
  };
}
