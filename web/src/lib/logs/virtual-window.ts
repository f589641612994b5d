export interface WindowInput {
  readonly scrollTop: number;
  readonly viewportHeight: number;
  readonly rowHeight: number;
  readonly total: number;
  /**
   * Rows rendered above and below the visible ones, so a fast scroll shows no blank band.
   * @default 10
   */
  readonly overscan?: number;
}

export interface WindowRange {
  /** First rendered row (inclusive). */
  readonly start: number;
  /** One past the last rendered row. */
  readonly end: number;
  /** Pixels above the first rendered row. */
  readonly offsetTop: number;
  /** Height of all rows, for the scroll area. */
  readonly totalHeight: number;
}

/** The rows to put in the DOM for a scroll position: the visible ones plus the overscan. */
export function visibleRange(input: WindowInput): WindowRange {
  const overscan = input.overscan ?? 10;
  const rowHeight = Math.max(1, input.rowHeight);
  const total = Math.max(0, Math.floor(input.total));
  const totalHeight = total * rowHeight;
  const maxTop = Math.max(0, totalHeight - Math.max(0, input.viewportHeight));
  const top = Math.min(Math.max(0, input.scrollTop), maxTop);
  const first = Math.floor(top / rowHeight);
  const visible = Math.ceil(Math.max(0, input.viewportHeight) / rowHeight) + 1;
  const start = Math.max(0, first - overscan);
  const end = Math.min(total, first + visible + overscan);
  return { start, end: Math.max(start, end), offsetTop: start * rowHeight, totalHeight };
}

/** True when the view shows the last row (within `slackPx`), i.e. following the tail. */
export function isAtBottom(scrollTop: number, scrollHeight: number, clientHeight: number, slackPx = 4): boolean {
  return scrollHeight - clientHeight - scrollTop <= slackPx;
}

/** scrollTop that puts row `index` in view, centred when it has to move. */
export function scrollTopFor(index: number, rowHeight: number, viewportHeight: number, currentTop: number): number {
  const rowTop = index * rowHeight;
  if (rowTop >= currentTop && rowTop + rowHeight <= currentTop + viewportHeight) return currentTop;
  return Math.max(0, rowTop - Math.floor(viewportHeight / 2 - rowHeight / 2));
}
