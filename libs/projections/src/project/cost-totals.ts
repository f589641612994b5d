import type { CostDelta } from './project-task-event.js';
import type { Row } from './rows.js';

/**
 * A batch's spend by day × repo × agent × model: one row per group instead of
 * one per delta. Amounts are summed as Postgres sums `numeric` — each number
 * exactly as the decimal it prints as, the result at the largest scale among
 * them — so the totals neither depend on how events were batched nor differ
 * from summing the deltas in SQL. A group with a number that has no such
 * decimal (NaN, ±Infinity) or a token count past 2^53 is left as its deltas,
 * for SQL to sum.
 */
export class CostTotals {
  private readonly groups = new Map<string, { readonly repoId: string; readonly deltas: CostDelta[] }>();

  add(repoId: string, delta: CostDelta): void {
    const key = `${delta.day}\u0000${repoId}\u0000${delta.agent}\u0000${delta.model}`;
    let group = this.groups.get(key);
    if (group === undefined) this.groups.set(key, (group = { repoId, deltas: [] }));
    group.deltas.push(delta);
  }

  rows(): Row[] {
    const rows: Row[] = [];
    for (const { repoId, deltas } of this.groups.values()) {
      const total = sumOf(deltas);
      if (total) rows.push(costRow(repoId, deltas[0]!, total));
      else for (const delta of deltas) rows.push(costRow(repoId, delta, delta));
    }
    return rows;
  }
}

type Amounts = Pick<CostDelta, 'inputTokens' | 'cachedInputTokens' | 'outputTokens' | 'runs'> & { readonly costUsd: number | string };

function costRow(repoId: string, group: CostDelta, amounts: Amounts): Row {
  return {
    day: group.day,
    repo_id: repoId,
    agent: group.agent,
    model: group.model,
    cost_usd: amounts.costUsd,
    input_tokens: amounts.inputTokens,
    cached_input_tokens: amounts.cachedInputTokens,
    output_tokens: amounts.outputTokens,
    runs: amounts.runs,
  };
}

function sumOf(deltas: readonly CostDelta[]): Amounts | undefined {
  let units = 0n;
  let scale = 0;
  let inputTokens = 0;
  let cachedInputTokens = 0;
  let outputTokens = 0;
  let runs = 0;
  for (const delta of deltas) {
    const cost = decimalOf(delta.costUsd);
    if (cost === undefined) return undefined;
    if (cost.scale > scale) {
      units *= 10n ** BigInt(cost.scale - scale);
      scale = cost.scale;
    }
    units += cost.units * 10n ** BigInt(scale - cost.scale);
    inputTokens += delta.inputTokens;
    cachedInputTokens += delta.cachedInputTokens;
    outputTokens += delta.outputTokens;
    runs += delta.runs;
  }
  if (![inputTokens, cachedInputTokens, outputTokens, runs].every(Number.isSafeInteger)) return undefined;
  return { costUsd: decimalText(units, scale), inputTokens, cachedInputTokens, outputTokens, runs };
}

/** A number as the decimal Postgres reads from its text: digits as an integer, and how many of them are decimals. */
export function decimalOf(value: number): { readonly units: bigint; readonly scale: number } | undefined {
  const match = Number.isFinite(value) ? DECIMAL.exec(String(value)) : null;
  if (match === null) return undefined;
  const [, sign, whole, fraction = '', exponent = '0'] = match;
  let units = BigInt(whole! + fraction);
  let scale = fraction.length - Number(exponent);
  if (scale < 0) {
    units *= 10n ** BigInt(-scale);
    scale = 0;
  }
  return { units: sign ? -units : units, scale };
}

export function decimalText(units: bigint, scale: number): string {
  const digits = (units < 0n ? -units : units).toString().padStart(scale + 1, '0');
  const text = scale > 0 ? `${digits.slice(0, -scale)}.${digits.slice(-scale)}` : digits;
  return units < 0n ? `-${text}` : text;
}

const DECIMAL = /^(-?)(\d+)(?:\.(\d+))?(?:e([+-]\d+))?$/;
