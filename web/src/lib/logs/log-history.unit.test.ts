import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { LogLine } from '../graphql/types.js';
import { LogBuffer } from './log-buffer.js';
import { MAX_LOG_PAGE, readHistory, type LogPage } from './log-history.js';

const line = (seq: number): LogLine => ({
  taskId: 't',
  runId: 'r',
  seq,
  stream: 'stdout',
  text: `line ${seq}`,
  at: '2026-11-20T10:00:00Z',
});

/**
 * A run's log as the gateway stores it: seqs ascending, growing while it is read,
 * its front removed by retention. Pages and subscriptions answer as the gateway's do.
 */
class StoredLog {
  seqs: number[] = [];
  private next = 1;

  append(count: number, skip = 0): void {
    this.next += skip;
    for (let i = 0; i < count; i++) this.seqs.push(this.next++);
  }

  dropFront(count: number): void {
    this.seqs = this.seqs.slice(count);
  }

  page(fromSeq: number, limit: number): LogPage {
    const after = this.seqs.filter((seq) => seq > fromSeq);
    const lines = after.slice(0, limit).map(line);
    return { lines, lastSeq: lines.at(-1)?.seq ?? fromSeq, hasMore: after.length > lines.length };
  }

  /** What a taskLogs subscription from `fromSeq` replays before going live. */
  replay(fromSeq: number): LogLine[] {
    return this.seqs.filter((seq) => seq > fromSeq).map(line);
  }
}

describe('readHistory, then the subscription from the last seq held', () => {
  it('ends with every line the gateway still stores exactly once, in order, while lines keep arriving', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.nat({ max: 400 }),
        fc.integer({ min: 1, max: 60 }),
        fc.integer({ min: 1, max: 120 }),
        // For the first page reads: lines appended meanwhile, a hole before them, lines retention drops from the front.
        fc.array(fc.tuple(fc.nat({ max: 40 }), fc.nat({ max: 3 }), fc.nat({ max: 5 })), { maxLength: 30 }),
        // Lines appended after the last page and before the subscription starts, then where a reconnect cuts the replay.
        fc.nat({ max: 50 }),
        fc.nat({ max: 200 }),
        async (initial, firstLimit, limit, meanwhile, beforeSubscribe, cutAt) => {
          const log = new StoredLog();
          log.append(initial);
          const buffer = new LogBuffer();
          const asked: number[] = [];
          let call = 0;
          await readHistory({
            buffer,
            firstLimit,
            limit,
            fetchPage: async (fromSeq, size) => {
              asked.push(size);
              const page = log.page(fromSeq, size);
              const [added, hole, dropped] = meanwhile[call++] ?? [0, 0, 0];
              log.append(added, hole);
              log.dropFront(dropped);
              return page;
            },
          });
          expect(asked[0]).toBe(firstLimit);
          expect(asked.slice(1).every((size) => size === limit)).toBe(true);

          log.append(beforeSubscribe);
          const firstTail = log.replay(buffer.lastSeq);
          buffer.addAll(firstTail.slice(0, cutAt));
          // The connection dropped: graphql-ws resubscribes with the variables read again.
          buffer.addAll(log.replay(buffer.lastSeq));

          const seqs = buffer.lines.map((l) => l.seq);
          expect(new Set(seqs).size).toBe(seqs.length);
          expect(seqs).toEqual([...seqs].sort((a, b) => a - b));
          // Everything still stored is held; anything held but no longer stored was read before retention took it.
          for (const seq of log.seqs) expect(seqs).toContain(seq);
        },
      ),
    );
  });

  it('reads back-to-back pages of the gateway maximum after a small first page', async () => {
    const log = new StoredLog();
    log.append(5_000);
    const buffer = new LogBuffer();
    const asked: [number, number][] = [];
    let pagesSeen = 0;
    const result = await readHistory({
      buffer,
      fetchPage: async (fromSeq, limit) => {
        asked.push([fromSeq, limit]);
        return log.page(fromSeq, limit);
      },
      onPage: () => pagesSeen++,
    });
    expect(result).toBe('done');
    expect(asked).toEqual([
      [0, 500],
      [500, MAX_LOG_PAGE],
      [2500, MAX_LOG_PAGE],
      [4500, MAX_LOG_PAGE],
    ]);
    expect(pagesSeen).toBe(4);
    expect(buffer.lastSeq).toBe(5_000);
    expect(buffer.length).toBe(5_000);
  });

  it('starts after the lines already held', async () => {
    const log = new StoredLog();
    log.append(30);
    const buffer = new LogBuffer();
    buffer.addAll(log.replay(0).slice(0, 12));
    const asked: number[] = [];
    await readHistory({ buffer, fetchPage: async (fromSeq, limit) => (asked.push(fromSeq), log.page(fromSeq, limit)) });
    expect(asked).toEqual([12]);
    expect(buffer.lines.map((l) => l.seq)).toEqual(log.seqs);
  });

  it('moves past seqs the gateway skipped (lastSeq ahead of the last line) instead of asking for them again', async () => {
    const buffer = new LogBuffer();
    const asked: number[] = [];
    const pages: LogPage[] = [
      { lines: [line(1), line(2)], lastSeq: 4, hasMore: true },
      { lines: [line(5)], lastSeq: 5, hasMore: false },
    ];
    await readHistory({ buffer, firstLimit: 4, fetchPage: async (fromSeq) => (asked.push(fromSeq), pages.shift()!) });
    expect(asked).toEqual([0, 4]);
    expect(buffer.lines.map((l) => l.seq)).toEqual([1, 2, 5]);
  });

  it('stops on a page that makes no progress rather than asking for it forever', async () => {
    const buffer = new LogBuffer();
    let calls = 0;
    const result = await readHistory({ buffer, fetchPage: async (fromSeq) => (calls++, { lines: [], lastSeq: fromSeq, hasMore: true }) });
    expect(result).toBe('done');
    expect(calls).toBe(1);
  });

  it('keeps the pages read before a failure and rejects with it, so the caller can subscribe from there', async () => {
    const log = new StoredLog();
    log.append(1_000);
    const buffer = new LogBuffer();
    let calls = 0;
    const failing = readHistory({
      buffer,
      fetchPage: async (fromSeq, limit) => {
        if (++calls === 2) throw new Error('the gateway did not answer');
        return log.page(fromSeq, limit);
      },
    });
    await expect(failing).rejects.toThrow('the gateway did not answer');
    expect(buffer.lastSeq).toBe(500);
  });

  it('adds nothing once stopped (the view went away while a page was on its way)', async () => {
    const log = new StoredLog();
    log.append(1_000);
    const buffer = new LogBuffer();
    let stopped = false;
    const result = await readHistory({
      buffer,
      stopped: () => stopped,
      fetchPage: async (fromSeq, limit) => {
        stopped = true;
        return log.page(fromSeq, limit);
      },
    });
    expect(result).toBe('stopped');
    expect(buffer.length).toBe(0);
  });
});
