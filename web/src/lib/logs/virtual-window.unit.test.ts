import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isAtBottom, scrollTopFor, visibleRange } from './virtual-window.js';

describe('visibleRange', () => {
  it.each([
    [
      'top of a long log',
      { scrollTop: 0, viewportHeight: 100, rowHeight: 20, total: 1000, overscan: 2 },
      { start: 0, end: 8, offsetTop: 0 },
    ],
    ['middle', { scrollTop: 1000, viewportHeight: 100, rowHeight: 20, total: 1000, overscan: 2 }, { start: 48, end: 58, offsetTop: 960 }],
    [
      'scrolled past the end',
      { scrollTop: 1e9, viewportHeight: 100, rowHeight: 20, total: 10, overscan: 2 },
      { start: 3, end: 10, offsetTop: 60 },
    ],
    ['empty', { scrollTop: 0, viewportHeight: 100, rowHeight: 20, total: 0, overscan: 2 }, { start: 0, end: 0, offsetTop: 0 }],
  ])('%s', (_name, input, expected) => {
    expect(visibleRange(input)).toMatchObject(expected);
  });

  it('renders every visible row and a bounded number of rows, whatever the input', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 200_000 }),
        fc.integer({ min: 0, max: 5_000_000 }),
        fc.integer({ min: 1, max: 2000 }),
        fc.integer({ min: 1, max: 60 }),
        fc.integer({ min: 0, max: 30 }),
        (total, scrollTop, viewportHeight, rowHeight, overscan) => {
          const r = visibleRange({ scrollTop, viewportHeight, rowHeight, total, overscan });
          expect(r.start).toBeGreaterThanOrEqual(0);
          expect(r.end).toBeLessThanOrEqual(total);
          expect(r.end).toBeGreaterThanOrEqual(r.start);
          expect(r.end - r.start).toBeLessThanOrEqual(Math.ceil(viewportHeight / rowHeight) + 1 + 2 * overscan);
          expect(r.offsetTop).toBe(r.start * rowHeight);
          expect(r.totalHeight).toBe(total * rowHeight);
          // The rows actually on screen (after clamping like a browser) are all rendered.
          const top = Math.min(scrollTop, Math.max(0, total * rowHeight - viewportHeight));
          const firstVisible = Math.floor(top / rowHeight);
          const lastVisible = Math.min(total, Math.ceil((top + viewportHeight) / rowHeight)) - 1;
          if (total > 0) {
            expect(r.start).toBeLessThanOrEqual(firstVisible);
            expect(r.end - 1).toBeGreaterThanOrEqual(lastVisible);
          }
        },
      ),
    );
  });
});

describe('isAtBottom', () => {
  it.each([
    [980, 1480, 500, true],
    [977, 1480, 500, true],
    [900, 1480, 500, false],
    [0, 300, 500, true],
  ])('scrollTop %i of %i in %i: %s', (top, height, client, expected) => {
    expect(isAtBottom(top, height, client)).toBe(expected);
  });
});

describe('scrollTopFor', () => {
  it('leaves the view alone when the row is visible and centres it otherwise', () => {
    expect(scrollTopFor(10, 20, 200, 100)).toBe(100);
    expect(scrollTopFor(100, 20, 200, 0)).toBe(1910);
    expect(scrollTopFor(0, 20, 200, 500)).toBe(0);
  });
});
