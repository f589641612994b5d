import { type Usage } from './agent-adapter.js';

/** Sums the usage increments of one run. */
export class UsageAccumulator {
  #inputTokens = 0;
  #cachedInputTokens = 0;
  #outputTokens = 0;
  #costUsd = 0;
  #reportedCost = false;
  #model: string;

  /** @param defaultModel the model the run was started with, kept when the agent never names one. */
  constructor(defaultModel = '') {
    this.#model = defaultModel;
  }

  add(usage: Usage): void {
    this.#inputTokens += usage.inputTokens;
    this.#cachedInputTokens += usage.cachedInputTokens;
    this.#outputTokens += usage.outputTokens;
    if (usage.costUsd !== undefined) {
      this.#costUsd += usage.costUsd;
      this.#reportedCost = true;
    }
    if (usage.model !== '') this.#model = usage.model;
  }

  /** `costUsd` is absent when no increment reported one, so a price table can fill it in. */
  total(): Usage {
    const base = {
      inputTokens: this.#inputTokens,
      cachedInputTokens: this.#cachedInputTokens,
      outputTokens: this.#outputTokens,
      model: this.#model,
    };
    return this.#reportedCost ? { ...base, costUsd: this.#costUsd } : base;
  }
}
