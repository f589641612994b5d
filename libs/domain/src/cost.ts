import type { Usage } from '@cohort/contracts';

/** USD per million tokens. */
export interface ModelPrice {
  readonly inputPerMTok: number;
  readonly cachedInputPerMTok: number;
  readonly outputPerMTok: number;
}

/**
 * List prices at the time of writing; data, not code. Operators override or
 * extend it through configuration (`mergePriceTable`) when prices change.
 */
export const DEFAULT_PRICES: Readonly<Record<string, ModelPrice>> = {
  'claude-opus-4': { inputPerMTok: 15, cachedInputPerMTok: 1.5, outputPerMTok: 75 },
  'claude-sonnet-4': { inputPerMTok: 3, cachedInputPerMTok: 0.3, outputPerMTok: 15 },
  'claude-haiku-4': { inputPerMTok: 1, cachedInputPerMTok: 0.1, outputPerMTok: 5 },
  'gpt-5': { inputPerMTok: 1.25, cachedInputPerMTok: 0.125, outputPerMTok: 10 },
  'gpt-5-mini': { inputPerMTok: 0.25, cachedInputPerMTok: 0.025, outputPerMTok: 2 },
  'gemini-2.5-pro': { inputPerMTok: 1.25, cachedInputPerMTok: 0.31, outputPerMTok: 10 },
  'gemini-2.5-flash': { inputPerMTok: 0.3, cachedInputPerMTok: 0.075, outputPerMTok: 2.5 },
};

export function mergePriceTable(
  base: Readonly<Record<string, ModelPrice>>,
  overrides: Readonly<Record<string, ModelPrice>>,
): Readonly<Record<string, ModelPrice>> {
  return { ...base, ...overrides };
}

/**
 * The price for a model name: an exact entry, else the longest entry the name
 * starts with (so "claude-sonnet-4-5-20250929" uses "claude-sonnet-4").
 */
export function priceFor(model: string, table: Readonly<Record<string, ModelPrice>> = DEFAULT_PRICES): ModelPrice | undefined {
  const exact = table[model];
  if (exact !== undefined) return exact;
  const prefix = Object.keys(table)
    .filter((k) => model.startsWith(k))
    .sort((a, b) => b.length - a.length)[0];
  return prefix === undefined ? undefined : table[prefix];
}

export type CostResult =
  | { readonly ok: true; readonly costUsd: number; readonly source: 'reported' | 'price_table' }
  | { readonly ok: false; readonly message: string };

/**
 * The cost of a usage report: the agent's own figure when it gave one, else
 * tokens × the model's price. `inputTokens` excludes cached input tokens.
 */
export function costOf(
  usage: Pick<Usage, 'inputTokens' | 'cachedInputTokens' | 'outputTokens' | 'costUsd' | 'model'>,
  table: Readonly<Record<string, ModelPrice>> = DEFAULT_PRICES,
): CostResult {
  if (usage.costUsd > 0) return { ok: true, costUsd: usage.costUsd, source: 'reported' };
  const price = priceFor(usage.model, table);
  if (price === undefined) {
    if (usage.inputTokens + usage.cachedInputTokens + usage.outputTokens === 0) return { ok: true, costUsd: 0, source: 'price_table' };
    return {
      ok: false,
      message: `no price for model "${usage.model}"; add it to the price table (known: ${Object.keys(table).join(', ')})`,
    };
  }
  const cost =
    (usage.inputTokens * price.inputPerMTok +
      usage.cachedInputTokens * price.cachedInputPerMTok +
      usage.outputTokens * price.outputPerMTok) /
    1_000_000;
  return { ok: true, costUsd: Math.round(cost * 1_000_000) / 1_000_000, source: 'price_table' };
}
