/** Postgres could not answer a read (down, unreachable, or projections not set up yet). */
export class ReadModelUnavailable extends Error {
  override readonly name = 'ReadModelUnavailable';
  constructor(what: string, cause: unknown) {
    super(`the read model is unavailable while ${what}: ${cause instanceof Error ? cause.message : String(cause)}`, { cause });
  }
}

/** The projections did not reach the asked-for position in time. */
export class ReadModelBehind extends Error {
  override readonly name = 'ReadModelBehind';
  constructor(
    readonly position: number,
    readonly checkpoint: number,
    readonly timeoutMs: number,
  ) {
    super(`the read model is at position ${checkpoint} and did not reach ${position} within ${timeoutMs} ms; try again shortly`);
  }
}

/** A query argument the read model cannot use (a foreign cursor, a malformed date); names the field and value. */
export class InvalidReadQuery extends Error {
  override readonly name = 'InvalidReadQuery';
  constructor(
    readonly field: string,
    message: string,
  ) {
    super(message);
  }
}
