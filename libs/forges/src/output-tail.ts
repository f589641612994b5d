/** Bounds of an output tail kept for logs, errors and check reports. */
export interface OutputTailOptions {
  /**
   * Lines kept (the last ones).
   * @default 50
   */
  readonly maxLines?: number;
  /**
   * Characters kept (the last ones), so a single huge line cannot blow up an event.
   * @default 8192
   */
  readonly maxChars?: number;
}

export const defaultTailLines = 50;
export const defaultTailChars = 8192;

/** Keeps the last lines of a stream within fixed bounds, in memory proportional to those bounds. */
export class OutputTail {
  readonly #maxLines: number;
  readonly #maxChars: number;
  readonly #lines: string[] = [];
  #dropped = false;

  constructor(options: OutputTailOptions = {}) {
    this.#maxLines = Math.max(1, options.maxLines ?? defaultTailLines);
    this.#maxChars = Math.max(1, options.maxChars ?? defaultTailChars);
  }

  push(line: string): void {
    this.#lines.push(line.length > this.#maxChars ? line.slice(line.length - this.#maxChars) : line);
    if (this.#lines.length > this.#maxLines) {
      this.#lines.shift();
      this.#dropped = true;
    }
  }

  /** The kept lines joined by newlines, cut from the front to at most `maxChars` characters. */
  text(): string {
    const joined = this.#lines.join('\n');
    return joined.length > this.#maxChars ? joined.slice(joined.length - this.#maxChars) : joined;
  }

  /** Whether earlier output was dropped to stay within bounds. */
  get truncated(): boolean {
    return this.#dropped || this.#lines.join('\n').length > this.#maxChars;
  }
}

/** The tail of a whole text, split on newlines (a trailing newline adds no empty line). */
export function tailOf(text: string, options: OutputTailOptions = {}): string {
  const tail = new OutputTail(options);
  const lines = text.split(/\r?\n/);
  if (lines.at(-1) === '') lines.pop();
  for (const line of lines) tail.push(line);
  return tail.text();
}
