import type { LogLine } from '@cohort/contracts';
import { logLineNode, type LogLineNode } from './log-line-node.js';

/** The GraphQL `LogChunk` of lines that go out together. */
export interface LogChunkNode {
  readonly lines: readonly LogLineNode[];
  readonly lastSeq: number;
}

export function logChunkNode(lines: readonly LogLine[]): LogChunkNode {
  return { lines: lines.map(logLineNode), lastSeq: lines[lines.length - 1]!.seq };
}
