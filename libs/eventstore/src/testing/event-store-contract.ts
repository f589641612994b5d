import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { AggregateRef, EventStore, EventSubscription, StoredEvent } from '../event-store.js';
import { WrongExpectedVersion } from '../wrong-expected-version.js';
import { freshTask, priorityChanged } from './sample-events.js';

/** One log shared by every store the harness opens, as separate processes would share it. */
export interface EventStoreHarness {
  /** A new, independent store (own caches) over the same log: a second writer. */
  open(): Promise<EventStore>;
  dispose(): Promise<void>;
}

/**
 * The behaviour every EventStore adapter must have. Run it from an
 * `*.int.test.ts` with a factory that gives a harness over a real server.
 */
export function describeEventStoreContract(name: string, factory: () => Promise<EventStoreHarness>): void {
  describe(`${name} (EventStore contract)`, () => {
    let harness: EventStoreHarness;
    let store: EventStore;

    beforeEach(async () => {
      harness = await factory();
      store = await harness.open();
    });
    afterEach(async () => {
      await harness.dispose();
    });

    it('numbers appended events from version 1 and reads them back in order', async () => {
      const task = freshTask();
      const first = await store.append(task, [priorityChanged(1), priorityChanged(2)], { expectedVersion: 0 });
      const second = await store.append(task, [priorityChanged(3)], { expectedVersion: 2 });
      expect(first.version).toBe(2);
      expect(second.version).toBe(3);
      expect(second.position).toBeGreaterThan(first.position);
      const { events, version } = await store.read(task);
      expect(version).toBe(3);
      expect(events.map((e) => [e.version, e.type === 'TaskPriorityChanged' ? e.data.priority : -1])).toEqual([
        [1, 1],
        [2, 2],
        [3, 3],
      ]);
      expect(events.every((e) => e.aggregateId === task.id && e.aggregateType === 'task')).toBe(true);
    });

    it('reads an aggregate that has no events as version 0', async () => {
      expect(await store.read(freshTask())).toEqual({ events: [], version: 0 });
    });

    it('reads from a given version on', async () => {
      const task = freshTask();
      await store.append(
        task,
        [1, 2, 3, 4].map((p) => priorityChanged(p)),
        { expectedVersion: 0 },
      );
      const { events, version } = await store.read(task, { fromVersion: 3 });
      expect(version).toBe(4);
      expect(events.map((e) => e.version)).toEqual([3, 4]);
    });

    it('refuses to create an aggregate that already exists', async () => {
      const task = freshTask();
      await store.append(task, [priorityChanged(1)], { expectedVersion: 0 });
      const error = await store.append(task, [priorityChanged(2)], { expectedVersion: 0 }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(WrongExpectedVersion);
      expect(error).toMatchObject({ aggregate: task, expected: 0, actual: 1 });
    });

    it('appends after whatever is there when the expected version is any', async () => {
      const task = freshTask();
      await store.append(task, [priorityChanged(1)], { expectedVersion: 'any' });
      const result = await store.append(task, [priorityChanged(2)], { expectedVersion: 'any' });
      expect(result.version).toBe(2);
      expect((await store.read(task)).events.map((e) => e.version)).toEqual([1, 2]);
    });

    it('lets exactly one of two concurrent writers win; the loser succeeds after re-reading', async () => {
      const task = freshTask();
      const other = await harness.open();
      await store.append(task, [priorityChanged(1)], { expectedVersion: 0 });
      // Both writers have seen version 1 (warming any cache they keep).
      expect((await store.read(task)).version).toBe(1);
      expect((await other.read(task)).version).toBe(1);

      const outcomes = await Promise.allSettled([
        store.append(task, [priorityChanged(10)], { expectedVersion: 1 }),
        other.append(task, [priorityChanged(20)], { expectedVersion: 1 }),
      ]);
      const won = outcomes.filter((o) => o.status === 'fulfilled');
      const lost = outcomes.filter((o): o is PromiseRejectedResult => o.status === 'rejected');
      expect(won).toHaveLength(1);
      expect(lost).toHaveLength(1);
      expect(lost[0]!.reason).toBeInstanceOf(WrongExpectedVersion);
      expect(lost[0]!.reason).toMatchObject({ expected: 1, actual: 2 });

      const loser = outcomes[0]!.status === 'rejected' ? store : other;
      const reread = await loser.read(task);
      expect(reread.version).toBe(2);
      const retried = await loser.append(task, [priorityChanged(30)], { expectedVersion: reread.version });
      expect(retried.version).toBe(3);
      expect((await store.read(task)).events.map((e) => e.version)).toEqual([1, 2, 3]);
    });

    it('rejects a writer whose view is stale because another process appended', async () => {
      const task = freshTask();
      const other = await harness.open();
      await store.append(task, [priorityChanged(1)], { expectedVersion: 0 });
      await other.append(task, [priorityChanged(2)], { expectedVersion: 1 });
      const error = await store.append(task, [priorityChanged(3)], { expectedVersion: 1 }).catch((e: unknown) => e);
      expect(error).toMatchObject({ name: 'WrongExpectedVersion', expected: 1, actual: 2 });
      expect((await store.read(task)).version).toBe(2);
    });

    it('stores an event appended twice only once and reports its original position', async () => {
      const task = freshTask();
      const event = priorityChanged(7);
      const first = await store.append(task, [event], { expectedVersion: 0 });
      const again = await store.append(task, [event], { expectedVersion: 0 });
      expect(again.position).toBe(first.position);
      expect(again.version).toBe(1);
      const { events } = await store.read(task);
      expect(events.map((e) => e.id)).toEqual([event.id]);
    });

    it('reads 10,000 events of one aggregate back in order, quickly', async () => {
      const task = freshTask('big');
      const ids: string[] = [];
      for (let batch = 0; batch < 100; batch++) {
        const events = Array.from({ length: 100 }, (_, i) => priorityChanged(batch * 100 + i));
        ids.push(...events.map((e) => e.id));
        await store.append(task, events, { expectedVersion: batch * 100 });
      }
      const started = performance.now();
      const { events, version } = await (await harness.open()).read(task);
      const elapsedMs = performance.now() - started;
      expect(version).toBe(10_000);
      expect(events).toHaveLength(10_000);
      expect(events.map((e) => e.id)).toEqual(ids);
      expect(events.every((e, i) => e.version === i + 1)).toBe(true);
      // Strict envelope decoding dominates (~0.1-0.3 ms an event); one round trip per event would blow this.
      expect(elapsedMs).toBeLessThan(10_000);
    }, 120_000);

    it('delivers every event after the start position exactly once, in log order', async () => {
      const before = freshTask('before');
      await store.append(before, [priorityChanged(0)], { expectedVersion: 0 });
      const start = await store.position();
      const tasks = [freshTask('a'), freshTask('b'), freshTask('c')];
      const mine = new Set(tasks.map((t) => t.id));
      const subscription = store.subscribe({ fromPosition: start, filter: { aggregateType: 'task' } });
      const appended = await appendRounds(store, tasks, 0, 10);

      const seen = await take(subscription, 30, (e) => mine.has(e.envelope.aggregateId) || e.envelope.aggregateId === before.id);
      await subscription.close();
      expect(seen.map((e) => e.envelope.id)).toEqual(appended.map((a) => a.id));
      expect(seen.map((e) => e.position)).toEqual(appended.map((a) => a.position));
      expect(isStrictlyIncreasing(seen.map((e) => e.position))).toBe(true);
    });

    it('resumes a restarted subscriber from its last position with nothing lost or repeated', async () => {
      const start = await store.position();
      const tasks = [freshTask('r1'), freshTask('r2')];
      const mine = new Set(tasks.map((t) => t.id));
      const ours = (e: StoredEvent) => mine.has(e.envelope.aggregateId);
      const firstHalf = await appendRounds(store, tasks, 0, 10);

      const first = store.subscribe({ fromPosition: start });
      const beforeRestart = await take(first, 12, ours);
      await first.close();
      const checkpoint = beforeRestart[beforeRestart.length - 1]!.position;

      const secondHalf = await appendRounds(store, tasks, 10, 5);
      const second = (await harness.open()).subscribe({ fromPosition: checkpoint });
      const afterRestart = await take(second, 18, ours);
      await second.close();

      const all = [...beforeRestart, ...afterRestart].map((e) => e.envelope.id);
      expect(all).toEqual([...firstHalf, ...secondHalf].map((a) => a.id));
      expect(new Set(all).size).toBe(30);
    });
  });
}

/** Appends `rounds` events to each task, one task after another per round; returns them in log order. */
async function appendRounds(
  store: EventStore,
  tasks: readonly AggregateRef[],
  fromVersion: number,
  rounds: number,
): Promise<{ id: string; position: number }[]> {
  const appended: { id: string; position: number }[] = [];
  for (let round = 0; round < rounds; round++) {
    for (const task of tasks) {
      const event = priorityChanged(fromVersion + round);
      const result = await store.append(task, [event], { expectedVersion: fromVersion + round });
      appended.push({ id: event.id, position: result.position });
    }
  }
  return appended;
}

async function take(
  subscription: EventSubscription,
  count: number,
  keep: (e: StoredEvent) => boolean,
  timeoutMs = 15_000,
): Promise<StoredEvent[]> {
  const seen: StoredEvent[] = [];
  const iterator = subscription[Symbol.asyncIterator]();
  const deadline = Date.now() + timeoutMs;
  while (seen.length < count) {
    const remaining = deadline - Date.now();
    const next = await Promise.race([
      iterator.next(),
      new Promise<'timeout'>((resolve) => setTimeout(() => resolve('timeout'), Math.max(remaining, 0))),
    ]);
    if (next === 'timeout') throw new Error(`subscription delivered ${seen.length} of ${count} expected events within ${timeoutMs} ms`);
    if (next.done) throw new Error(`subscription ended after ${seen.length} of ${count} expected events`);
    if (keep(next.value)) seen.push(next.value);
  }
  return seen;
}

function isStrictlyIncreasing(values: readonly number[]): boolean {
  return values.every((v, i) => i === 0 || v > values[i - 1]!);
}
