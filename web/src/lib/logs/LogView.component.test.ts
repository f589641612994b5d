import { fireEvent, render, screen } from '@testing-library/svelte';
import { tick } from 'svelte';
import { describe, expect, it } from 'vitest';
import type { LogLine } from '../graphql/types.js';
import LogView from './LogView.svelte';

const ROW = 20;
const HEIGHT = 480;

function makeLines(n: number, text: (seq: number) => string = (seq) => `line ${seq}`, from = 1): LogLine[] {
  return Array.from({ length: n }, (_, i) => ({
    taskId: 't1',
    runId: 'r1',
    seq: from + i,
    stream: 'stdout' as const,
    text: text(from + i),
    at: '2026-11-20T10:00:00.000Z',
  }));
}

/** jsdom has no layout: give the viewport the geometry a browser would, scrollTop clamped like a browser does. */
function layOut(viewport: HTMLElement, lines: readonly unknown[]): void {
  let top = 0;
  Object.defineProperty(viewport, 'clientHeight', { configurable: true, get: () => HEIGHT });
  Object.defineProperty(viewport, 'scrollHeight', { configurable: true, get: () => lines.length * ROW });
  Object.defineProperty(viewport, 'scrollTop', {
    configurable: true,
    get: () => top,
    set: (v: number) => (top = Math.max(0, Math.min(v, lines.length * ROW - HEIGHT))),
  });
}

const renderedSeqs = () => [...document.querySelectorAll<HTMLElement>('[data-seq]')].map((el) => Number(el.dataset.seq));
const maxRows = Math.ceil(HEIGHT / ROW) + 1 + 2 * 10;

async function scrollTo(viewport: HTMLElement, top: number): Promise<void> {
  viewport.scrollTop = top;
  await fireEvent.scroll(viewport);
  await tick();
}

describe('LogView', () => {
  it('keeps the DOM to the visible rows with 100,000 lines, wherever it is scrolled', async () => {
    const lines = makeLines(100_000);
    render(LogView, { lines, count: lines.length, rowHeight: ROW, fallbackHeight: HEIGHT });
    await tick();
    const viewport = screen.getByTestId('log-viewport');
    layOut(viewport, lines);
    expect(renderedSeqs().length).toBeLessThanOrEqual(maxRows);

    await scrollTo(viewport, 50_000 * ROW);
    const middle = renderedSeqs();
    expect(middle.length).toBeLessThanOrEqual(maxRows);
    expect(middle).toContain(50_001);

    await scrollTo(viewport, lines.length * ROW);
    const end = renderedSeqs();
    expect(end.length).toBeLessThanOrEqual(maxRows);
    expect(end.at(-1)).toBe(100_000);
    expect(screen.getByTestId('log-count').textContent).toContain('100,000');
  });

  it('follows new lines, pauses when the user scrolls up, and resumes with "Jump to latest"', async () => {
    const lines = makeLines(1_000);
    const view = render(LogView, { lines, count: lines.length, rowHeight: ROW, fallbackHeight: HEIGHT });
    const viewport = screen.getByTestId('log-viewport');
    layOut(viewport, lines);
    await scrollTo(viewport, lines.length * ROW);

    lines.push(...makeLines(100, undefined, 1_001));
    await view.rerender({ count: lines.length });
    await tick();
    expect(viewport.scrollTop).toBe(1_100 * ROW - HEIGHT);
    expect(renderedSeqs()).toContain(1_100);
    expect(screen.queryByTestId('jump-to-latest')).toBeNull();

    await scrollTo(viewport, 200);
    lines.push(...makeLines(50, undefined, 1_101));
    await view.rerender({ count: lines.length });
    await tick();
    expect(viewport.scrollTop).toBe(200);
    const jump = screen.getByTestId('jump-to-latest');
    expect(jump.textContent).toContain('50 new');

    await fireEvent.click(jump);
    await tick();
    expect(viewport.scrollTop).toBe(1_150 * ROW - HEIGHT);
    expect(screen.queryByTestId('jump-to-latest')).toBeNull();
    expect(renderedSeqs()).toContain(1_150);
  });

  it('finds lines by their visible text, steps through matches and highlights them', async () => {
    const lines = makeLines(10_000, (seq) => (seq % 2_500 === 0 ? `\u001b[31mERROR\u001b[0m disk Full at ${seq}` : `ok ${seq}`));
    render(LogView, { lines, count: lines.length, rowHeight: ROW, fallbackHeight: HEIGHT });
    const viewport = screen.getByTestId('log-viewport');
    layOut(viewport, lines);
    const search = screen.getByTestId('log-search');

    await fireEvent.input(search, { target: { value: 'error disk' } });
    await tick();
    expect(screen.getByTestId('log-search-status').textContent?.trim()).toBe('0 of 4');

    await fireEvent.keyDown(search, { key: 'Enter' });
    await tick();
    expect(screen.getByTestId('log-search-status').textContent?.trim()).toBe('1 of 4');
    const current = document.querySelector<HTMLElement>('.line.current');
    expect(current?.dataset.seq).toBe('2500');
    expect([...current!.querySelectorAll('mark')].map((m) => m.textContent).join('')).toBe('ERROR disk');

    await fireEvent.keyDown(search, { key: 'Enter', shiftKey: true });
    await tick();
    expect(screen.getByTestId('log-search-status').textContent?.trim()).toBe('4 of 4');
    expect(document.querySelector<HTMLElement>('.line.current')?.dataset.seq).toBe('10000');

    await fireEvent.input(search, { target: { value: 'no such text' } });
    await tick();
    expect(screen.getByTestId('log-search-status').textContent?.trim()).toBe('No matches');
  });

  it('counts matches in lines that arrive after the search started', async () => {
    const lines = makeLines(100, (seq) => `step ${seq}`);
    const view = render(LogView, { lines, count: lines.length, rowHeight: ROW, fallbackHeight: HEIGHT });
    await fireEvent.input(screen.getByTestId('log-search'), { target: { value: 'boom' } });
    lines.push(...makeLines(3, () => 'boom', 101));
    await view.rerender({ count: lines.length });
    await tick();
    expect(screen.getByTestId('log-search-status').textContent?.trim()).toBe('0 of 3');
  });

  it('renders ANSI colours and weights as styles and never shows escape codes', () => {
    const lines = makeLines(1, () => '\u001b[1;32mPASS\u001b[0m tests \u001b[38;5;196mred\u001b[0m\u001b[2K');
    render(LogView, { lines, count: 1, rowHeight: ROW, fallbackHeight: HEIGHT });
    const row = document.querySelector<HTMLElement>('[data-seq="1"] .text')!;
    expect(row.textContent).toBe('PASS tests red');
    expect(row.textContent).not.toContain('\u001b');
    const styled = [...row.querySelectorAll<HTMLElement>('span')];
    const pass = styled.find((s) => s.textContent === 'PASS')!;
    expect(pass.style.color).toBe('var(--ansi-2)');
    expect(pass.style.fontWeight).toBe('700');
    expect(['#ff0000', 'rgb(255, 0, 0)']).toContain(styled.find((s) => s.textContent === 'red')!.style.color);
    expect(styled.find((s) => s.textContent === ' tests ')!.style.color).toBe('');
  });

  it('says while history is loading and how many lines the gateway no longer stores', async () => {
    const lines = makeLines(5, undefined, 41);
    const view = render(LogView, { lines, count: 5, loading: true, missing: 40, rowHeight: ROW, fallbackHeight: HEIGHT });
    expect(screen.getByTestId('log-loading').textContent).toContain('loading history');
    expect(screen.getByTestId('log-missing').textContent?.trim()).toBe('40 lines no longer stored');
    await view.rerender({ loading: false, missing: 0 });
    expect(screen.queryByTestId('log-loading')).toBeNull();
    expect(screen.queryByTestId('log-missing')).toBeNull();
  });
});
