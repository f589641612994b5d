export { readLogPage, MAX_LOG_PAGE, type ReadLogPageOptions, type LogPage } from './read-log-page.js';
export { lastLogSeq } from './last-log-seq.js';
export { tailLogs, type TailLogsOptions, type LogTail } from './tail-logs.js';
export { DEFAULT_LOG_TAIL_LIMITS, logLineWeight, type LogTailLimits } from './log-tail-state.js';
export type { ChunkLimits } from './chunk-queue.js';
export { sequenceLine, startSequencer, type LogGap, type LogSequencerState, type LogVerdict } from './log-sequencer.js';
export { LogsUnavailable } from './logs-unavailable.js';
export type { RunLogRef } from './run-log-consumer.js';
