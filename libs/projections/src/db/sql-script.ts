import type { Connection, Submittable } from 'pg';

/**
 * SQL statements sent as one simple-protocol query, with the rows of its
 * `COPY … FROM STDIN` statements sent right behind it: the whole script costs
 * one round trip. Postgres reads each COPY's rows when it reaches that
 * statement. After an error it skips the rest of the script and ignores the
 * copy data still queued (the protocol's rule for a failed COPY), so the
 * connection stays usable. Statements take no parameters: values travel as
 * COPY rows, or are numbers and names checked by the caller.
 */
export class SqlScript implements Submittable {
  /** Command tags of the statements run, in order ("COPY 12", "INSERT 0 5", "UPDATE 1", …). */
  readonly tags: string[] = [];
  private readonly statements: string[] = [];
  private readonly copies: Uint8Array[][] = [];
  private settle: ((error: Error | undefined) => void) | undefined;
  private error: Error | undefined;

  /** Adds a statement; returns its index, which is also that of its tag. */
  add(sql: string): number {
    return this.statements.push(sql) - 1;
  }

  /** Adds `COPY <target> FROM STDIN` (text format) with these rows: UTF-8 lines, each ending in "\n", in pieces. */
  copy(target: string, rows: readonly Uint8Array[]): void {
    if (!rows.some((piece) => piece.length > 0)) return;
    this.add(`COPY ${target} FROM STDIN`);
    this.copies.push(copyMessages(rows));
  }

  /** Adds another script's statements (and their rows) after these. */
  include(other: SqlScript): void {
    this.statements.push(...other.statements);
    this.copies.push(...other.copies);
  }

  /** Runs the script on a connection; resolves with the statements' command tags. */
  run(client: { query(script: SqlScript): unknown }): Promise<string[]> {
    return new Promise((resolve, reject) => {
      this.settle = (error) => (error ? reject(error) : resolve(this.tags));
      client.query(this);
    });
  }

  /** Called by pg when the connection is free for this query. */
  submit(connection: Connection): void {
    const stream = connection.stream;
    // One write to the socket for the lot.
    stream.cork();
    connection.query(this.statements.join(';\n'));
    // Sent before Postgres asks for it: it is read in order once each COPY starts.
    for (const messages of this.copies) for (const message of messages) stream.write(message);
    stream.uncork();
  }

  handleCopyInResponse(): void {
    // The rows are already on their way (see submit).
  }

  handleCommandComplete(message: { text: string }): void {
    this.tags.push(message.text);
  }

  handleError(error: Error): void {
    // pg passes a server error here and then frees the connection at the next ReadyForQuery;
    // a broken connection also lands here, with no ReadyForQuery to follow.
    this.error = error;
    this.finish();
  }

  handleReadyForQuery(): void {
    this.finish();
  }

  handleRowDescription(): void {}
  handleDataRow(): void {}
  handleEmptyQuery(): void {}
  handlePortalSuspended(): void {}
  handleCopyData(): void {}

  private finish(): void {
    const settle = this.settle;
    this.settle = undefined;
    settle?.(this.error);
  }
}

const COPY_DATA = 0x64; // 'd'
const COPY_DONE = Buffer.from([0x63, 0, 0, 0, 4]); // 'c', length 4
/**
 * Postgres reads a whole CopyData message into one buffer: small messages let
 * it reuse one small buffer instead of allocating (and faulting in) megabytes.
 */
const MESSAGE_BYTES = 64 * 1024;

/** The CopyData messages carrying `rows`, then CopyDone: each a header and a view of the rows, nothing copied. */
function copyMessages(rows: readonly Uint8Array[]): Uint8Array[] {
  const count = rows.reduce((n, piece) => n + Math.ceil(piece.length / MESSAGE_BYTES), 0);
  const headers = Buffer.allocUnsafe(count * 5);
  const out: Uint8Array[] = [];
  let h = 0;
  for (const piece of rows) {
    for (let start = 0; start < piece.length; start += MESSAGE_BYTES) {
      const chunk = piece.subarray(start, Math.min(piece.length, start + MESSAGE_BYTES));
      headers[h] = COPY_DATA;
      headers.writeInt32BE(chunk.length + 4, h + 1);
      out.push(headers.subarray(h, h + 5), chunk);
      h += 5;
    }
  }
  out.push(COPY_DONE);
  return out;
}
