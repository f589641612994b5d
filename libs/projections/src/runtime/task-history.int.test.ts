import { jetstream } from '@nats-io/jetstream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Envelope, TaskEvent } from '@cohort/contracts';
import { ProjectionHarness } from '../../test/projection-harness.js';
import { taskHistory, ticker } from '../../test/sample-lifecycles.js';
import { projectTaskEvent } from '../project/project-task-event.js';
import type { ProjectedTask } from '../project/projected-task.js';
import { TaskHistory } from './task-history.js';

/** The task as the feed folds it: its events in order, at their positions. */
function foldFeed(events: readonly Envelope[], positions: readonly number[]): ProjectedTask | undefined {
  let task: ProjectedTask | undefined;
  events.forEach((event, i) => (task = projectTaskEvent(task, event as Envelope<TaskEvent>, positions[i]!).next));
  return task;
}

describe('TaskHistory', () => {
  let h: ProjectionHarness;
  let history: TaskHistory;
  beforeEach(async () => {
    h = await ProjectionHarness.create('history');
    history = new TaskHistory(h.ctx.nc, h.ctx.topology);
  });
  afterEach(async () => {
    await h.dispose();
  });

  it('folds each task from its own events up to the position given, as the feed does', async () => {
    const at = ticker(new Date('2026-07-01T08:00:00Z'));
    const a = taskHistory('a', 'acme-web', 'ci_failure', at);
    const b = taskHistory('b', 'acme-web', 'merged', at);
    // Interleaved, so each task's positions have gaps: a1 b1 a2 b2 …
    let position = 0;
    const positions: Record<string, number[]> = { a: [], b: [] };
    for (let i = 0; i < Math.max(a.events.length, b.events.length); i++) {
      for (const t of [a, b]) {
        const event = t.events[i];
        if (!event) continue;
        position = (await h.store.append(t.aggregate, [event], { expectedVersion: 'any' })).position;
        positions[t.aggregate.id]!.push(position);
      }
    }
    const stored = {
      a: (await h.store.read({ type: 'task', id: 'a' })).events,
      b: (await h.store.read({ type: 'task', id: 'b' })).events,
    };
    const whole = await history.load(['a', 'b', 'never-created'], position);
    expect([...whole.keys()].sort()).toEqual(['a', 'b']);
    expect(whole.get('a')).toEqual(foldFeed(stored.a, positions.a!));
    expect(whole.get('b')).toEqual(foldFeed(stored.b, positions.b!));

    // Up to a position between a's fourth and fifth events.
    const upTo = positions.a![3]! + 1;
    const part = await history.load(['a'], upTo);
    expect(part.get('a')).toEqual(foldFeed(stored.a.slice(0, 4), positions.a!.slice(0, 4)));
    expect(part.get('a')?.state.version).toBe(4);
    // Before the task's first event: nothing to fold.
    expect((await history.load(['b'], positions.b![0]! - 1)).size).toBe(0);
  });

  it('leaves out what the feed leaves out: bytes that are no event, and a task whose creation is not in the log', async () => {
    const at = ticker(new Date('2026-07-02T08:00:00Z'));
    const a = taskHistory('a', 'acme-web', 'merged', at);
    const last = await h.append(a);
    const stored = (await h.store.read({ type: 'task', id: 'a' })).events;
    await jetstream(h.ctx.nc).publish(h.ctx.topology.event('task', 'a'), 'not JSON at all');
    const orphan = taskHistory('orphan', 'acme-web', 'merged', at);
    orphan.events.splice(0, 1);
    const end = await h.append(orphan);
    const tasks = await history.load(['a', 'orphan'], end);
    const positions = stored.map((_, i) => last - stored.length + 1 + i);
    expect(tasks.get('a')).toEqual(foldFeed(stored, positions));
    expect(tasks.has('orphan')).toBe(false);
  });
});
