import { describe, expect, it } from 'vitest';
import { IllegalTransition, TASK_STATUSES, TRANSITIONS, assertTransition, canTransition, isFinal } from './transitions.js';

const rows = TASK_STATUSES.flatMap((from) =>
  TASK_STATUSES.map((to) => ({ from, to, allowed: from === to || TRANSITIONS[from].includes(to) })),
);

describe('transition table', () => {
  it('has a row for every status', () => {
    expect(Object.keys(TRANSITIONS).sort()).toEqual([...TASK_STATUSES].sort());
  });

  it.each(rows.filter((r) => r.allowed))('allows $from → $to', ({ from, to }) => {
    expect(canTransition(from, to)).toBe(true);
    expect(assertTransition(from, to)).toBe(to);
  });

  it.each(rows.filter((r) => !r.allowed))('rejects $from → $to with an IllegalTransition naming both states', ({ from, to }) => {
    expect(canTransition(from, to)).toBe(false);
    let thrown: unknown;
    try {
      assertTransition(from, to);
    } catch (e) {
      thrown = e;
    }
    expect(thrown).toBeInstanceOf(IllegalTransition);
    expect(thrown).toMatchObject({ from, to, name: 'IllegalTransition' });
    expect((thrown as Error).message).toContain(`"${from}"`);
    expect((thrown as Error).message).toContain(`"${to}"`);
  });

  it('treats completed and cancelled as final: nothing leaves them', () => {
    expect(isFinal('completed')).toBe(true);
    expect(isFinal('cancelled')).toBe(true);
    expect(isFinal('failed')).toBe(false);
    expect(TRANSITIONS.completed).toEqual([]);
    expect(() => assertTransition('completed', 'queued')).toThrow(/nowhere \(it is final\)/);
  });
});
