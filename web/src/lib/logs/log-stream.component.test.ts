import { waitFor } from '@testing-library/svelte';
import { describe, expect, it, vi } from 'vitest';
import type { GatewayClient, SubscriptionHandlers } from '../graphql/client.js';
import { GatewayError } from '../graphql/errors.js';
import { LogStream } from './log-stream.svelte.js';

const pageLine = (seq: number) => ({ seq, stream: 'stdout' as const, text: `line ${seq}`, at: '2026-11-20T10:00:00Z' });
const range = (from: number, to: number) => Array.from({ length: Math.max(0, to - from + 1) }, (_, i) => from + i);

/** What taskLogs sends: lines without taskId/runId (the dashboard asks only for the rest), in seq order. */
interface LiveChunk {
  readonly lines: ReturnType<typeof pageLine>[];
  readonly lastSeq: number;
}
const chunkOf = (seqs: readonly number[]): { taskLogs: LiveChunk } => ({ taskLogs: { lines: seqs.map(pageLine), lastSeq: seqs.at(-1)! } });

/**
 * A gateway holding `stored` lines of run r1: answers `Task.logs` pages as the
 * gateway does and records every taskLogs subscription with the fromSeq it was
 * (re)started with, so a test can feed it lines and drop the connection.
 */
class FakeGateway {
  stored: number;
  pageRequests: { fromSeq: number; limit: number }[] = [];
  failPages: GatewayError | undefined;
  subscriptions: { fromSeq: () => number; handlers: SubscriptionHandlers<{ taskLogs: LiveChunk }>; stopped: boolean }[] = [];

  constructor(stored: number) {
    this.stored = stored;
  }

  readonly client = {
    request: async (_query: string, variables: Record<string, unknown>) => {
      const { fromSeq, limit } = variables as { fromSeq: number; limit: number };
      this.pageRequests.push({ fromSeq, limit });
      if (this.failPages) throw this.failPages;
      const to = Math.min(this.stored, fromSeq + limit);
      const lines = Array.from({ length: Math.max(0, to - fromSeq) }, (_, i) => pageLine(fromSeq + 1 + i));
      return { task: { logs: { lines, lastSeq: lines.at(-1)?.seq ?? fromSeq, hasMore: to < this.stored } } };
    },
    subscribe: (_query: string, variables: () => Record<string, unknown>, handlers: SubscriptionHandlers<{ taskLogs: LiveChunk }>) => {
      const subscription = { fromSeq: () => variables().fromSeq as number, handlers, stopped: false };
      this.subscriptions.push(subscription);
      return () => (subscription.stopped = true);
    },
  } as unknown as GatewayClient;

  get current() {
    return this.subscriptions.at(-1)!;
  }

  /**
   * The subscription replays from its fromSeq (read now, as graphql-ws does on
   * every (re)subscribe) up to `to`, in chunks of up to `chunkSize` lines.
   */
  replay(to: number, from = this.current.fromSeq(), chunkSize = 7): void {
    for (let first = from + 1; first <= to; first += chunkSize) this.send(range(first, Math.min(to, first + chunkSize - 1)));
  }

  /** One chunk of these seqs. */
  send(seqs: readonly number[]): void {
    this.current.handlers.next(chunkOf(seqs));
  }
}

const seqs = (stream: LogStream) => stream.buffer.lines.map((line) => line.seq);
const oneTo = (n: number) => Array.from({ length: n }, (_, i) => i + 1);

describe('LogStream', () => {
  it('reads the history in pages, then subscribes from the last seq the pages brought', async () => {
    const gateway = new FakeGateway(4_500);
    const stream = new LogStream(gateway.client, 't1', 'r1').start();
    await waitFor(() => expect(gateway.subscriptions).toHaveLength(1));
    expect(gateway.pageRequests).toEqual([
      { fromSeq: 0, limit: 500 },
      { fromSeq: 500, limit: 2000 },
      { fromSeq: 2500, limit: 2000 },
    ]);
    expect(gateway.current.fromSeq()).toBe(4_500);
    expect(stream.loading).toBe(false);
    expect(stream.live).toBe(true);

    // Lines stored between the last page and the subscription's start come from its replay, then live ones.
    gateway.replay(4_550);
    await waitFor(() => expect(stream.count).toBe(4_550));
    expect(seqs(stream)).toEqual(oneTo(4_550));
    expect(stream.buffer.lines[0]).toMatchObject({ taskId: 't1', runId: 'r1', seq: 1, text: 'line 1' });
    stream.dispose();
  });

  it('resumes from the last seq held after a reconnect, with no gap and no duplicate', async () => {
    const gateway = new FakeGateway(100);
    const stream = new LogStream(gateway.client, 't1', 'r1').start();
    await waitFor(() => expect(gateway.subscriptions).toHaveLength(1));
    gateway.replay(130);
    expect(gateway.current.fromSeq()).toBe(130);
    // A reconnect whose replay overlaps what is held (the server started from an older seq) adds nothing twice.
    gateway.replay(140, 120);
    await waitFor(() => expect(stream.count).toBe(140));
    expect(seqs(stream)).toEqual(oneTo(140));
    stream.dispose();
  });

  it('falls back to the subscription for the history when pages cannot be read', async () => {
    const gateway = new FakeGateway(50);
    gateway.failPages = new GatewayError('run logs cannot be paged by this gateway yet', 'UNAVAILABLE');
    const stream = new LogStream(gateway.client, 't1', 'r1').start();
    await waitFor(() => expect(gateway.subscriptions).toHaveLength(1));
    expect(gateway.current.fromSeq()).toBe(0);
    gateway.replay(50);
    await waitFor(() => expect(stream.count).toBe(50));
    expect(seqs(stream)).toEqual(oneTo(50));
    expect(stream.error).toBeUndefined();
    stream.dispose();
  });

  it('says how many lines the gateway no longer stores when the history starts past them', async () => {
    const gateway = new FakeGateway(0);
    const stream = new LogStream(gateway.client, 't1', 'r1').start();
    await waitFor(() => expect(gateway.subscriptions).toHaveLength(1));
    gateway.send([41, 42]);
    await waitFor(() => expect(stream.count).toBe(2));
    expect(stream.missing).toBe(40);
    expect(gateway.current.fromSeq()).toBe(42);
    // A later chunk that jumps over lines retention removed in the middle of the run.
    gateway.send([43, 50]);
    await waitFor(() => expect(stream.count).toBe(4));
    expect(stream.missing).toBe(46);
    expect(stream.buffer.missing).toEqual([
      { fromSeq: 1, toSeq: 40 },
      { fromSeq: 44, toSeq: 49 },
    ]);
    stream.dispose();
  });

  it('appends a chunk of many lines at once, with each line of its run, and counts it in one update', async () => {
    const gateway = new FakeGateway(0);
    const stream = new LogStream(gateway.client, 't1', 'r1').start();
    await waitFor(() => expect(gateway.subscriptions).toHaveLength(1));
    const countUpdates = vi.spyOn(stream, 'count', 'set');
    gateway.send(range(1, 500));
    await waitFor(() => expect(stream.count).toBe(500));
    expect(countUpdates.mock.calls).toEqual([[500]]);
    expect(stream.buffer.lines[499]).toEqual({ taskId: 't1', runId: 'r1', ...pageLine(500) });
    expect(gateway.current.fromSeq()).toBe(500);
    stream.dispose();
  });

  it('subscribes again from the last seq after the gateway ends the tail as unavailable', async () => {
    const gateway = new FakeGateway(10);
    const stream = new LogStream(gateway.client, 't1', 'r1').start();
    await waitFor(() => expect(gateway.subscriptions).toHaveLength(1));
    gateway.replay(12);
    gateway.current.handlers.error?.(new GatewayError('the log tail is unavailable', 'UNAVAILABLE'));
    expect(stream.error).toBe('the log tail is unavailable');
    await waitFor(() => expect(gateway.subscriptions).toHaveLength(2), { timeout: 3_000 });
    expect(gateway.current.fromSeq()).toBe(12);
    gateway.replay(13);
    await waitFor(() => expect(stream.count).toBe(13));
    expect(stream.error).toBeUndefined();
    stream.dispose();
  });

  it('stops reading pages and never subscribes once disposed', async () => {
    const gateway = new FakeGateway(10_000);
    const stream = new LogStream(gateway.client, 't1', 'r1').start();
    stream.dispose();
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(gateway.pageRequests).toHaveLength(1);
    expect(gateway.subscriptions).toHaveLength(0);
    expect(stream.buffer.length).toBe(0);
  });
});
