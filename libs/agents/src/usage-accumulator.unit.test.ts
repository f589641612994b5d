import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { UsageAccumulator } from './usage-accumulator.js';

describe('UsageAccumulator', () => {
  it('starts empty with the run model and no cost', () => {
    expect(new UsageAccumulator('gpt-5').total()).toEqual({ inputTokens: 0, cachedInputTokens: 0, outputTokens: 0, model: 'gpt-5' });
  });

  it('sums tokens and reported costs, keeping the last model the agent named', () => {
    const usage = new UsageAccumulator('default-model');
    usage.add({ inputTokens: 10, cachedInputTokens: 4, outputTokens: 2, costUsd: 0.25, model: 'a' });
    usage.add({ inputTokens: 5, cachedInputTokens: 0, outputTokens: 1, model: '' });
    usage.add({ inputTokens: 1, cachedInputTokens: 1, outputTokens: 1, costUsd: 0.5, model: 'b' });
    expect(usage.total()).toEqual({ inputTokens: 16, cachedInputTokens: 5, outputTokens: 4, costUsd: 0.75, model: 'b' });
  });

  it('totals the same whatever the order of the increments', () => {
    const increment = fc.record({
      inputTokens: fc.nat(1_000_000),
      cachedInputTokens: fc.nat(1_000_000),
      outputTokens: fc.nat(1_000_000),
      model: fc.constant(''),
    });
    fc.assert(
      fc.property(fc.array(increment), (increments) => {
        const forward = new UsageAccumulator();
        const backward = new UsageAccumulator();
        increments.forEach((usage) => forward.add(usage));
        [...increments].reverse().forEach((usage) => backward.add(usage));
        expect(forward.total()).toEqual(backward.total());
        expect(forward.total().inputTokens).toBe(increments.reduce((sum, usage) => sum + usage.inputTokens, 0));
      }),
    );
  });
});
