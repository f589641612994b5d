import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import pg from 'pg';
import { CheckStatus, CommandErrorCode, UpdateRepoSchema } from '@cohort/contracts';
import { CommandClient } from '@cohort/messaging';
import { fold, stageOf } from '@cohort/domain';
import { PostgresReadModel, requestRebuild } from '@cohort/projections';
import { waitFor } from '@cohort/testing';
import { snapshotTables } from '../../../libs/projections/test/table-snapshot.js';
import { System } from './support/system.js';
import { greetingRepo } from './support/scenario-repos.js';

describe('projections rebuild through the real system', () => {
  let system: System;
  let pool: pg.Pool;
  let reads: PostgresReadModel;
  beforeAll(async () => {
    system = await System.start('rebuild');
    pool = new pg.Pool({ connectionString: system.database.url, max: 2 });
    pool.on('error', () => undefined);
    reads = new PostgresReadModel({ databaseUrl: system.database.url, nc: system.nc, topology: system.topology });
    // Services start as separate processes: wait until intake answers before driving the CLI.
    const commands = new CommandClient(system.nc, system.topology, { timeoutMs: 5_000 });
    await waitFor(
      'intake to answer commands',
      async () => {
        const result = await commands.send('intake', 'UpdateRepo', UpdateRepoSchema, {
          repoId: 'none',
          settings: { name: 'none', url: '/none' },
        });
        return !result.ok && result.error.code === CommandErrorCode.UNAVAILABLE ? undefined : true;
      },
      90_000,
      500,
    );
  }, 120_000);
  afterAll(async () => {
    await reads?.close();
    await pool?.end();
    await system?.stop();
  });

  async function registerRepo(name: string, playbook: string): Promise<void> {
    const origin = await system.createRepository(name, greetingRepo(playbook));
    const registered = await system.cliJson<{ ok: boolean }>(['repo', 'add', origin, '--name', name, '--ci', 'sh ci.sh', '--auto-merge']);
    expect(registered.ok).toBe(true);
  }

  async function createTask(repo: string, title: string): Promise<string> {
    const created = await system.cliJson<{ aggregateId: string }>([
      'task',
      'create',
      '--repo',
      repo,
      '--title',
      title,
      '--prompt',
      'Make the greeting name Cohort',
    ]);
    return created.aggregateId;
  }

  /** Waits until nothing new is appended for a while and the projector has applied everything. */
  async function settle(): Promise<number> {
    let last = -1;
    return waitFor(
      'the log to settle and the projector to catch up',
      async () => {
        const position = await system.events.position();
        const checkpoint = await reads.checkpoint();
        const settled = position === last && checkpoint === position;
        last = position;
        return settled ? position : undefined;
      },
      90_000,
      1_500,
    );
  }

  it('runs main-loop tasks, rebuilds every projection from the log while reads go on, and the rebuilt tables equal the live ones row by row', async () => {
    await registerRepo(
      'happy',
      `initial:
  - write: { path: greeting.txt, content: "Hello, Cohort\\n" }
`,
    );
    await registerRepo(
      'cifail',
      `initial:
  - write: { path: greeting.txt, content: "Hello, there\\n" }
resume:ci_failure:
  - patch: { path: greeting.txt, find: "Hello, there", replace: "Hello, Cohort" }
`,
    );
    const happy = await createTask('happy', 'Greet Cohort');
    const cifail = await createTask('cifail', 'Fix the greeting');
    for (const taskId of [happy, cifail]) {
      await system.waitForEvents(taskId, 'passing checks', (_types, events) =>
        events.some((e) => e.type === 'ChecksReported' && e.data.status === CheckStatus.PASSING),
      );
      expect((await system.cli(['review', 'approve', taskId])).code).toBe(0);
      await system.waitForEvents(taskId, 'completion', (types) => types.includes('TaskCompleted'));
    }
    const position = await settle();

    // The live projection agrees with the domain's view of each task.
    for (const taskId of [happy, cifail]) {
      const state = fold((await system.taskEvents(taskId)) as never)!;
      const row = (await reads.task(taskId))!;
      expect(row).toMatchObject({ state: state.status, stage: stageOf(state), runCount: state.runs.length });
      expect((await reads.pullRequest(taskId))?.status).toBe('merged');
    }
    expect((await reads.repos()).map((r) => r.name).sort()).toEqual(['cifail', 'happy']);
    const live = await snapshotTables(pool, system.namespace);
    expect(live.task_timeline!.length).toBe(position);

    const rebuild = await requestRebuild(system.nc, system.topology);
    if (!rebuild.ok) throw new Error(`the rebuild was refused: ${rebuild.message}`);
    // Numbers are never reused (a start that failed half-way leaves a gap), so only "a new one" can be asked of it.
    const generation = rebuild.generation;
    expect(generation).toBeGreaterThan(1);
    let readsDuringRebuild = 0;
    await waitFor(
      `generation ${generation} to go live`,
      async () => {
        const page = await reads.tasks({}, { first: 10 });
        expect(page.totalCount).toBe(2);
        readsDuringRebuild++;
        const generations = await pool.query(
          `SELECT generation, status FROM "${system.namespace}".projection_generations WHERE status <> 'spare' ORDER BY generation`,
        );
        return generations.rows.length === 1 && generations.rows[0].generation === generation && generations.rows[0].status === 'live'
          ? true
          : undefined;
      },
      90_000,
      50,
    );
    expect(readsDuringRebuild).toBeGreaterThan(0);
    await settle();
    const rebuilt = await snapshotTables(pool, system.namespace);
    for (const table of Object.keys(live)) expect({ table, rows: rebuilt[table] }).toEqual({ table, rows: live[table] });
  }, 300_000);
});
