import type { LogLine } from '../graphql/types.js';
import type { LogBuffer } from './log-buffer.js';

/** What `Task.logs` answers: lines with a seq above `fromSeq`, at most `limit` of them. */
export interface LogPage {
  readonly lines: readonly LogLine[];
  /** The last line's seq, or `fromSeq` when the page is empty. */
  readonly lastSeq: number;
  /** True when more lines were stored after `lastSeq` when the page was read. */
  readonly hasMore: boolean;
}

export type FetchLogPage = (fromSeq: number, limit: number) => Promise<LogPage>;

/** The largest page the gateway serves (`Task.logs` rejects a larger `limit`). */
export const MAX_LOG_PAGE = 2000;

export interface ReadHistoryOptions {
  readonly fetchPage: FetchLogPage;
  /** Receives the lines; paging starts after the last seq it already holds. */
  readonly buffer: LogBuffer;
  /**
   * Size of the first page: small, so the first lines show before a full page has been read.
   * @default 500
   */
  readonly firstLimit?: number;
  /**
   * Size of every later page.
   * @default MAX_LOG_PAGE
   */
  readonly limit?: number;
  /** Called after each page was added to the buffer. */
  readonly onPage?: () => void;
  /** Checked after each page: true stops reading (the view went away). */
  readonly stopped?: () => boolean;
}

/**
 * Reads a run's stored log page after page into the buffer until the gateway
 * says there is no more. Lines stored meanwhile are not lost: the caller then
 * subscribes from the buffer's last seq and the subscription replays them.
 * Rejects with the first page's failure; lines read before it stay in the buffer.
 */
export async function readHistory(options: ReadHistoryOptions): Promise<'done' | 'stopped'> {
  const { fetchPage, buffer } = options;
  let fromSeq = buffer.lastSeq;
  let limit = options.firstLimit ?? 500;
  for (;;) {
    const page = await fetchPage(fromSeq, limit);
    if (options.stopped?.()) return 'stopped';
    buffer.addAll(page.lines);
    options.onPage?.();
    // page.lastSeq can run ahead of the buffer when the gateway skipped lines it could not decode.
    const next = Math.max(buffer.lastSeq, page.lastSeq);
    if (!page.hasMore || next <= fromSeq) return 'done';
    fromSeq = next;
    limit = options.limit ?? MAX_LOG_PAGE;
  }
}
