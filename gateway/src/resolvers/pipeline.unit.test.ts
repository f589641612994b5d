import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { STAGES } from '@cohort/domain';
import { pipelineOf } from './pipeline.js';

describe('pipelineOf', () => {
  it('marks the stages before the current one done, it current, the rest pending, with the latest visit times', () => {
    const history = [
      { stage: 'queued', enteredAt: 't1', leftAt: 't2' },
      { stage: 'setup', enteredAt: 't2', leftAt: 't3' },
      { stage: 'running', enteredAt: 't3', leftAt: 't4' },
      { stage: 'checks', enteredAt: 't4', leftAt: 't5' },
      { stage: 'running', enteredAt: 't5', leftAt: null },
    ];
    const pipeline = pipelineOf('running', history);
    expect(pipeline.map((s) => [s.stage, s.status])).toEqual([
      ['queued', 'done'],
      ['setup', 'done'],
      ['running', 'current'],
      ['pr', 'pending'],
      ['checks', 'pending'],
      ['review', 'pending'],
      ['merge', 'pending'],
      ['done', 'pending'],
    ]);
    expect(pipeline[2]).toEqual({ stage: 'running', status: 'current', enteredAt: 't5', leftAt: null });
    expect(pipeline[4]).toMatchObject({ enteredAt: 't4', leftAt: 't5' });
  });

  it('shows a finished task as done all through', () => {
    expect(pipelineOf('done', []).every((s) => s.status === 'done')).toBe(true);
  });

  it('has every stage once, in order, with exactly one current unless done (property)', () => {
    fc.assert(
      fc.property(fc.constantFrom(...STAGES), (current) => {
        const pipeline = pipelineOf(current, []);
        expect(pipeline.map((s) => s.stage)).toEqual(STAGES);
        expect(pipeline.filter((s) => s.status === 'current')).toHaveLength(current === 'done' ? 0 : 1);
      }),
    );
  });
});
