import type { LogLine } from '@cohort/contracts';
import type { ChunkLimits } from './chunk-queue.js';
import { logLineNode, type LogLineNode } from './log-line-node.js';

/**
 * How big a `taskLogs` chunk may get: enough lines that a client catching up
 * gets a run's history in few messages, few enough characters that one
 * message stays well under what browsers and proxies take in one frame.
 */
export const LOG_CHUNK_LIMITS: ChunkLimits = { maxItems: 500, maxWeight: 256 * 1024 };

/** What a line weighs against {@link ChunkLimits.maxWeight}: its characters of text. */
export const logLineWeight = (line: LogLine): number => line.text.length;

/** The GraphQL `LogChunk` of lines that go out together. */
export interface LogChunkNode {
  readonly lines: readonly LogLineNode[];
  readonly lastSeq: number;
}

export function logChunkNode(lines: readonly LogLine[]): LogChunkNode {
  return { lines: lines.map(logLineNode), lastSeq: lines[lines.length - 1]!.seq };
}
