import { afterEach, describe, expect, it } from 'vitest';
import { jetstreamManager } from '@nats-io/jetstream';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import type { LogLine } from '@cohort/contracts';
import { natsTestContext, waitFor, type NatsTestContext } from '@cohort/testing';
import { findLogStart } from './find-log-start.js';
import { lastLogSeq } from './last-log-seq.js';
import { readLogPage } from './read-log-page.js';
import { tailLogs, type LogTail } from './tail-logs.js';
import type { LogGap } from './log-sequencer.js';
import { createLogStream, runLogPublisher } from './testing-log-publisher.js';

describe('log reader on JetStream', () => {
  let ctx: NatsTestContext;
  const tails: LogTail[] = [];
  afterEach(async () => {
    await Promise.all(tails.splice(0).map((tail) => tail.close()));
    await ctx.dispose();
  });

  async function setUp(): Promise<void> {
    ctx = await natsTestContext({ label: 'logs' });
    await createLogStream(ctx.nc, ctx.topology);
  }

  /** Lines of `runId` 1..count, interleaved with another run's and another task's, as busy agents write them. */
  async function publishRun(taskId: string, runId: string, count: number): Promise<number[]> {
    const publish = runLogPublisher(ctx.nc, ctx.topology, taskId, runId);
    const noise = runLogPublisher(ctx.nc, ctx.topology, taskId, `${runId}-other`);
    const otherTask = runLogPublisher(ctx.nc, ctx.topology, `${taskId}-other`, runId);
    const streamSeqs: number[] = [];
    for (let seq = 1; seq <= count; seq++) {
      streamSeqs.push(await publish(seq));
      if (seq % 3 === 0) await noise(seq / 3);
      if (seq % 5 === 0) await otherTask(seq / 5);
    }
    return streamSeqs;
  }

  async function take(tail: LogTail, count: number): Promise<LogLine[]> {
    const lines: LogLine[] = [];
    if (count === 0) return lines;
    for await (const chunk of tail) {
      lines.push(...chunk);
      if (lines.length >= count) break;
    }
    return lines;
  }

  /** Reads `count` lines and leaves the tail open, unlike breaking out of `for await`. */
  function reader(tail: LogTail) {
    const iterator = tail[Symbol.asyncIterator]();
    let spare: LogLine[] = [];
    return async (count: number): Promise<LogLine[]> => {
      while (spare.length < count) {
        const result = await iterator.next();
        if (result.done) break;
        spare.push(...result.value);
      }
      const lines = spare.slice(0, count);
      spare = spare.slice(count);
      return lines;
    };
  }

  async function consumerCount(): Promise<number> {
    const info = await (await jetstreamManager(ctx.nc)).streams.info(ctx.topology.streams.logs);
    return info.state.consumer_count;
  }

  const seqs = (lines: readonly LogLine[]) => lines.map((line) => line.seq);
  const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, k) => from + k);

  it('pages through one run in seq order, leaving out other runs and tasks', async () => {
    await setUp();
    await publishRun('task-a', 'task-a-r1', 25);
    const ref = { nc: ctx.nc, topology: ctx.topology, taskId: 'task-a', runId: 'task-a-r1' };

    const first = await readLogPage({ ...ref, fromSeq: 0, limit: 10 });
    expect(seqs(first.lines)).toEqual(range(1, 10));
    expect(first.lines.every((line) => line.runId === 'task-a-r1' && line.taskId === 'task-a')).toBe(true);
    expect(first).toMatchObject({ lastSeq: 10, hasMore: true });

    const second = await readLogPage({ ...ref, fromSeq: first.lastSeq, limit: 10 });
    expect(seqs(second.lines)).toEqual(range(11, 20));
    const last = await readLogPage({ ...ref, fromSeq: second.lastSeq, limit: 10 });
    expect(seqs(last.lines)).toEqual(range(21, 25));
    expect(last).toMatchObject({ lastSeq: 25, hasMore: false });

    const after = await readLogPage({ ...ref, fromSeq: 25, limit: 10 });
    expect(after).toEqual({ lines: [], lastSeq: 25, hasMore: false });
    expect(await consumerCount()).toBe(0);
  });

  it("counts a run's lines by the seq of its last stored line, 0 for a run with none", async () => {
    await setUp();
    await publishRun('task-n', 'task-n-r1', 12);
    const ref = { nc: ctx.nc, topology: ctx.topology, taskId: 'task-n' };
    expect(await lastLogSeq({ ...ref, runId: 'task-n-r1' })).toBe(12);
    expect(await lastLogSeq({ ...ref, runId: 'task-n-r9' })).toBe(0);
  });

  it('starts a page deep into a long run at the right line', async () => {
    await setUp();
    await publishRun('task-b', 'task-b-r1', 300);
    const ref = { nc: ctx.nc, topology: ctx.topology, taskId: 'task-b', runId: 'task-b-r1' };
    for (const fromSeq of [1, 2, 149, 150, 298, 299]) {
      const page = await readLogPage({ ...ref, fromSeq, limit: 2 });
      expect(seqs(page.lines)).toEqual(range(fromSeq + 1, Math.min(fromSeq + 2, 300)));
    }
  });

  it('finds the stream sequence of the first line after fromSeq without reading the lines before it', async () => {
    await setUp();
    const streamSeqs = await publishRun('task-s', 'task-s-r1', 120);
    const jsm = await jetstreamManager(ctx.nc);
    const subject = ctx.topology.log('task-s', 'task-s-r1');
    for (let fromSeq = 1; fromSeq < 120; fromSeq += 7) {
      expect(await findLogStart(jsm, ctx.topology.streams.logs, subject, fromSeq)).toEqual({
        streamSeq: streamSeqs[fromSeq],
        stored: true,
      });
    }
    expect(await findLogStart(jsm, ctx.topology.streams.logs, subject, 120)).toEqual({ streamSeq: streamSeqs[119]! + 1, stored: false });
    expect(await findLogStart(jsm, ctx.topology.streams.logs, ctx.topology.log('task-s', 'none'), 5)).toEqual({
      streamSeq: 1,
      stored: false,
    });
  });

  it('gives an empty page for a run with no lines', async () => {
    await setUp();
    await publishRun('task-c', 'task-c-r1', 3);
    const page = await readLogPage({ nc: ctx.nc, topology: ctx.topology, taskId: 'task-c', runId: 'task-c-r2' });
    expect(page).toEqual({ lines: [], lastSeq: 0, hasMore: false });
  });

  it('refuses a limit outside 1 to 5000, naming it', async () => {
    await setUp();
    await expect(readLogPage({ nc: ctx.nc, topology: ctx.topology, taskId: 't', runId: 'r', limit: 0 })).rejects.toThrow(
      /limit must be an integer from 1 to 5000, got 0/,
    );
  });

  it('tails stored history then live lines with no gap and no duplicate while lines are published at the boundary', async () => {
    await setUp();
    const publish = runLogPublisher(ctx.nc, ctx.topology, 'task-d', 'task-d-r1');
    for (let seq = 1; seq <= 200; seq++) await publish(seq);
    // The publisher keeps going while the tail opens, so lines land before, during and after the switch to live.
    const publishing = (async () => {
      for (let seq = 201; seq <= 600; seq++) await publish(seq);
    })();
    const tail = tailLogs({ nc: ctx.nc, topology: ctx.topology, taskId: 'task-d', runId: 'task-d-r1' });
    tails.push(tail);
    const lines = await take(tail, 600);
    await publishing;
    expect(seqs(lines)).toEqual(range(1, 600));
    expect(lines[599]!.text).toBe('line 600');
  });

  it('drops its consumer once caught up: live lines then come from the subscription alone', async () => {
    await setUp();
    const publish = runLogPublisher(ctx.nc, ctx.topology, 'task-l', 'task-l-r1');
    for (let seq = 1; seq <= 20; seq++) await publish(seq);
    const tail = tailLogs({ nc: ctx.nc, topology: ctx.topology, taskId: 'task-l', runId: 'task-l-r1' });
    tails.push(tail);
    const read = reader(tail);
    expect(seqs(await read(20))).toEqual(range(1, 20));
    expect(await consumerCount()).toBe(1);
    await publish(21);
    expect(seqs(await read(1))).toEqual([21]);
    await waitFor('the caught-up tail to delete its consumer', async () => ((await consumerCount()) === 0 ? true : undefined));
    for (let seq = 22; seq <= 40; seq++) await publish(seq);
    expect(seqs(await read(19))).toEqual(range(22, 40));
    expect(await consumerCount()).toBe(0);
  });

  it('reads stored lines for a reader slower than the run, and still hands on every line once, in order', async () => {
    await setUp();
    const publish = runLogPublisher(ctx.nc, ctx.topology, 'task-k', 'task-k-r1');
    const limits = { chunk: { maxItems: 5, maxWeight: 10_000 }, liveBuffer: { maxItems: 20, maxWeight: 100_000 } };
    const tail = tailLogs({ nc: ctx.nc, topology: ctx.topology, taskId: 'task-k', runId: 'task-k-r1', limits });
    tails.push(tail);
    const read = reader(tail);
    await publish(1);
    expect(seqs(await read(1))).toEqual([1]);
    await waitFor('the tail to go live', async () => ((await consumerCount()) === 0 ? true : undefined));
    // Ten chunks' worth while nobody reads: the tail holds two and leaves the rest to the stream.
    for (let seq = 2; seq <= 200; seq++) await publish(seq);
    expect(await consumerCount()).toBe(1);
    expect(seqs(await read(199))).toEqual(range(2, 200));
    await publish(201);
    expect(seqs(await read(1))).toEqual([201]);
    await waitFor('the tail to go live again', async () => ((await consumerCount()) === 0 ? true : undefined));
  });

  it('reads the lines published while its connection was down from the stream once it is back', async () => {
    await setUp();
    const own: NatsConnection = await connect({ servers: ctx.url, name: 'test-logs-reconnecting', reconnectTimeWait: 200 });
    try {
      const publish = runLogPublisher(ctx.nc, ctx.topology, 'task-r', 'task-r-r1');
      const tail = tailLogs({ nc: own, topology: ctx.topology, taskId: 'task-r', runId: 'task-r-r1' });
      tails.push(tail);
      const read = reader(tail);
      await publish(1);
      expect(seqs(await read(1))).toEqual([1]);
      await waitFor('the tail to go live', async () => ((await consumerCount()) === 0 ? true : undefined));
      const events: string[] = [];
      const watching = (async () => {
        for await (const event of own.status()) {
          if (event.type === 'disconnect' || event.type === 'reconnect') events.push(event.type);
          if (event.type === 'reconnect') return;
        }
      })();
      await own.reconnect();
      await waitFor('the connection to drop', async () => (events.includes('disconnect') ? true : undefined));
      // Published while the tail's connection is down: its subscription never sees these.
      for (let seq = 2; seq <= 6; seq++) await publish(seq);
      const publishedWhileDown = !events.includes('reconnect');
      await watching;
      expect(publishedWhileDown).toBe(true);
      expect(seqs(await read(5))).toEqual(range(2, 6));
      await publish(7);
      expect(seqs(await read(1))).toEqual([7]);
    } finally {
      await own.close();
    }
  });

  it('resumes after a disconnect from the last seq received, without repeating or missing a line', async () => {
    await setUp();
    const publish = runLogPublisher(ctx.nc, ctx.topology, 'task-e', 'task-e-r1');
    for (let seq = 1; seq <= 50; seq++) await publish(seq);
    const ref = { nc: ctx.nc, topology: ctx.topology, taskId: 'task-e', runId: 'task-e-r1' };

    const first = tailLogs(ref);
    tails.push(first);
    const before = await take(first, 30);
    await first.close();
    await waitFor('the closed tail to delete its consumer', async () => ((await consumerCount()) === 0 ? true : undefined));

    for (let seq = 51; seq <= 80; seq++) await publish(seq);
    const second = tailLogs({ ...ref, fromSeq: before.at(-1)!.seq });
    tails.push(second);
    const after = await take(second, 50);
    expect(seqs([...before, ...after])).toEqual(range(1, 80));
  });

  it('reports the lines retention removed and carries on with the ones still stored', async () => {
    await setUp();
    const publish = runLogPublisher(ctx.nc, ctx.topology, 'task-f', 'task-f-r1');
    for (let seq = 1; seq <= 10; seq++) await publish(seq);
    const jsm = await jetstreamManager(ctx.nc);
    // Stream sequences 1-4 hold lines 1-4 (the only run on this stream); 7 holds line 7.
    for (const streamSeq of [1, 2, 3, 4, 7]) await jsm.streams.deleteMessage(ctx.topology.streams.logs, streamSeq);
    const gaps: LogGap[] = [];
    const tail = tailLogs({ nc: ctx.nc, topology: ctx.topology, taskId: 'task-f', runId: 'task-f-r1', onGap: (gap) => gaps.push(gap) });
    tails.push(tail);
    expect(seqs(await take(tail, 5))).toEqual([5, 6, 8, 9, 10]);
    expect(gaps).toEqual([
      { fromSeq: 1, toSeq: 4 },
      { fromSeq: 7, toSeq: 7 },
    ]);
  });

  it('ends a tail waiting on a quiet run when closed, and deletes its consumer', async () => {
    await setUp();
    const publish = runLogPublisher(ctx.nc, ctx.topology, 'task-g', 'task-g-r1');
    await publish(1);
    const tail = tailLogs({ nc: ctx.nc, topology: ctx.topology, taskId: 'task-g', runId: 'task-g-r1', fromSeq: 1 });
    tails.push(tail);
    const iterator = tail[Symbol.asyncIterator]();
    const pending = iterator.next();
    await waitFor('the tail to create its consumer', async () => ((await consumerCount()) === 1 ? true : undefined));
    await iterator.return!();
    await expect(pending).resolves.toEqual({ done: true, value: undefined });
    await waitFor('the consumer to be deleted', async () => ((await consumerCount()) === 0 ? true : undefined));
  });

  it('ends a tail when its abort signal fires', async () => {
    await setUp();
    const controller = new AbortController();
    const tail = tailLogs({ nc: ctx.nc, topology: ctx.topology, taskId: 'task-h', runId: 'task-h-r1', signal: controller.signal });
    tails.push(tail);
    const received = take(tail, 1);
    await waitFor('the tail to create its consumer', async () => ((await consumerCount()) === 1 ? true : undefined));
    controller.abort();
    await expect(received).resolves.toEqual([]);
  });
});
