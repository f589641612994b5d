import { render, screen, within } from '@testing-library/svelte';
import { describe, expect, it } from 'vitest';
import type { PipelineStage } from '../graphql/types.js';
import Pipeline from './Pipeline.svelte';

const at = (minute: number) => `2026-11-20T10:${String(minute).padStart(2, '0')}:00.000Z`;

describe('Pipeline', () => {
  it('shows the eight stages in order, marking done, current and pending ones', () => {
    const stages: PipelineStage[] = [
      { stage: 'queued', status: 'done', enteredAt: at(0), leftAt: at(1) },
      { stage: 'setup', status: 'done', enteredAt: at(1), leftAt: at(3) },
      { stage: 'running', status: 'current', enteredAt: at(3), leftAt: null },
    ];
    render(Pipeline, { stages, now: Date.parse(at(8)) });
    const items = within(screen.getByRole('list', { name: 'Pipeline' })).getAllByRole('listitem');
    expect(items.map((li) => li.dataset.stage)).toEqual(['queued', 'setup', 'running', 'pr', 'checks', 'review', 'merge', 'done']);
    expect(items.map((li) => li.dataset.status)).toEqual([
      'done',
      'done',
      'current',
      'pending',
      'pending',
      'pending',
      'pending',
      'pending',
    ]);
    expect(items[2]!.getAttribute('aria-current')).toBe('step');
    expect(items.filter((li) => li.hasAttribute('aria-current'))).toHaveLength(1);
  });

  it('shows how long each stage took, and how long the current one has been running', () => {
    const stages: PipelineStage[] = [
      { stage: 'queued', status: 'done', enteredAt: at(0), leftAt: at(2) },
      { stage: 'setup', status: 'current', enteredAt: at(2), leftAt: null },
    ];
    render(Pipeline, { stages, now: Date.parse(at(2)) + 75_000 });
    const durations = screen.getAllByTestId('stage-duration').map((el) => el.textContent);
    expect(durations).toEqual(['2m 00s', '1m 15s']);
  });

  it('says the task stopped at the current stage when it is troubled', () => {
    const stages: PipelineStage[] = [{ stage: 'checks', status: 'current', enteredAt: at(0), leftAt: null }];
    render(Pipeline, { stages, troubled: true, now: Date.parse(at(1)) });
    const current = screen.getByRole('listitem', { current: 'step' });
    expect(current.textContent).toContain('stopped here');
    expect(current.classList.contains('troubled')).toBe(true);
  });
});
