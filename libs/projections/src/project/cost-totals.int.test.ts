import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import pg from 'pg';
import { createTestDatabase, type TestDatabase } from '@cohort/testing';
import { CostTotals } from './cost-totals.js';
import type { CostDelta } from './project-task-event.js';

const delta = (costUsd: number, tokens = 1, day = '2026-01-01', model = 'sonnet'): CostDelta => ({
  day,
  agent: 'scripted',
  model,
  costUsd,
  inputTokens: tokens,
  cachedInputTokens: 0,
  outputTokens: tokens,
  runs: 1,
});

describe('CostTotals', () => {
  let db: TestDatabase;
  let client: pg.Client;
  beforeAll(async () => {
    db = await createTestDatabase('costtotals');
    client = new pg.Client({ connectionString: db.url });
    await client.connect();
  });
  afterAll(async () => {
    await client.end();
    await db.dispose();
  });

  /** What Postgres makes of the deltas summed as numeric, as it prints it. */
  async function sqlSum(amounts: readonly number[]): Promise<string> {
    const result = await client.query<{ total: string }>(`SELECT sum(x::numeric)::text AS total FROM unnest($1::text[]) AS x`, [
      amounts.map(String),
    ]);
    return result.rows[0]!.total;
  }

  it('sums spend exactly as Postgres sums it as numeric, digits and scale alike', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(
          fc.oneof(
            fc.double({ noNaN: true, noDefaultInfinity: true }),
            fc.integer().map((n) => n / 10_000),
          ),
          {
            minLength: 1,
            maxLength: 20,
          },
        ),
        async (amounts) => {
          const totals = new CostTotals();
          for (const amount of amounts) totals.add('repo', delta(amount));
          const [row] = totals.rows();
          expect(String(row!.cost_usd)).toBe(await sqlSum(amounts));
        },
      ),
      { numRuns: 200 },
    );
  });

  it('keeps one row per day, repo, agent and model, and leaves a group with NaN as its deltas for Postgres to sum', () => {
    const totals = new CostTotals();
    totals.add('a', delta(0.1, 2));
    totals.add('a', delta(0.2, 3));
    totals.add('b', delta(0.5));
    totals.add('a', delta(0.3, 1, '2026-01-02'));
    totals.add('a', delta(Number.NaN, 1, '2026-01-01', 'opus'));
    totals.add('a', delta(1, 1, '2026-01-01', 'opus'));
    expect(totals.rows()).toEqual([
      expect.objectContaining({ repo_id: 'a', day: '2026-01-01', model: 'sonnet', cost_usd: '0.3', input_tokens: 5, runs: 2 }),
      expect.objectContaining({ repo_id: 'b', cost_usd: '0.5', input_tokens: 1 }),
      expect.objectContaining({ repo_id: 'a', day: '2026-01-02', cost_usd: '0.3' }),
      expect.objectContaining({ repo_id: 'a', model: 'opus', cost_usd: Number.NaN }),
      expect.objectContaining({ repo_id: 'a', model: 'opus', cost_usd: 1 }),
    ]);
  });
});
