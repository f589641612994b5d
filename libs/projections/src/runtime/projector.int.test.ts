import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { fold, stageOf } from '@cohort/domain';
import { waitFor } from '@cohort/testing';
import { ProjectionHarness } from '../../test/projection-harness.js';
import { LIFECYCLES, repoHistory, secretHistory, taskHistory, ticker } from '../../test/sample-lifecycles.js';

describe('Projector', () => {
  let h: ProjectionHarness;
  beforeEach(async () => {
    h = await ProjectionHarness.create('projector');
  });
  afterEach(async () => {
    await h.dispose();
  });

  it.each([
    ['in a reading thread', {}],
    ['on its own thread through the connection it is given', { natsServers: undefined }],
  ])('projects every lifecycle, reading %s, so each task row equals the domain fold of its events', async (_, options) => {
    const at = ticker(new Date('2026-03-01T10:00:00Z'));
    const histories = LIFECYCLES.map((l, i) => taskHistory(`task-${i}`, 'acme-web', l, at));
    const last = await h.append(repoHistory('acme-web', at), ...histories, secretHistory('GH_TOKEN', at), secretHistory('OLD', at, true));
    await h.startProjector(options);
    await h.waitForCheckpoint(last);

    const tasks = await h.rows<Record<string, unknown>>('tasks', 'id');
    expect(tasks).toHaveLength(LIFECYCLES.length);
    for (const [i] of LIFECYCLES.entries()) {
      const events = (await h.store.read({ type: 'task', id: `task-${i}` })).events;
      const state = fold(events as never)!;
      const row = tasks.find((t) => t.id === `task-${i}`)!;
      expect(row.state).toBe(state.status);
      expect(row.stage).toBe(stageOf(state));
      expect(row.run_count).toBe(state.runs.length);
      expect(row.cost_usd).toBeCloseTo(state.totalCostUsd, 10);
      expect(row.version).toBe(events.length);
    }
  });

  it('reports a reading thread that cannot reach NATS as its failure, applying nothing meanwhile', async () => {
    await h.append(taskHistory('late', 'acme-web', 'merged', ticker(new Date('2026-03-02T10:00:00Z'))));
    const projector = await h.startProjector({ natsServers: ['127.0.0.1:1'] });
    await waitFor(
      'the failure to be reported',
      () => (projector.status().lastError?.includes('could not connect to NATS') ? true : undefined),
      20_000,
    );
    expect(await h.checkpoint()).toBe(0);
  });
});
