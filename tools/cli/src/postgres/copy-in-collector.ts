const QUERY = 'Q'.charCodeAt(0);
const COPY_DONE = 'c'.charCodeAt(0);
const COPY_FAIL = 'f'.charCodeAt(0);
const COPY_IN_RESPONSE = 'G'.charCodeAt(0);
const COPY_FROM_STDIN = /\bcopy\b[^;]*?\bfrom\s+stdin\b/gi;

/**
 * `COPY … FROM STDIN` for PGlite, which cannot resume a copy begun in an
 * earlier call: a simple query holding such COPY statements is held back
 * with the CopyData messages behind it until each COPY has had its CopyDone
 * (or CopyFail), and then goes to PGlite as one sequence.
 *
 * A client that waits for the server's CopyInResponse before sending rows
 * gets one at once (`copyInResponse`); the first one PGlite then writes is
 * dropped from its answer (`withoutFirstCopyInResponse`), so the client sees
 * one per COPY, as from a server.
 */
export class CopyInCollector {
  private parts: Uint8Array[] = [];
  private copiesLeft = 0;

  /** Whether a COPY sequence is being held back (its connection must keep the session). */
  get collecting(): boolean {
    return this.copiesLeft > 0;
  }

  /** Starts holding `message` back when it is a simple query with COPY … FROM STDIN; false otherwise. */
  start(message: Uint8Array): boolean {
    if (message[0] !== QUERY) return false;
    const sql = Buffer.from(message.buffer, message.byteOffset + 5, Math.max(0, message.length - 6)).toString('utf8');
    const copies = sql.match(COPY_FROM_STDIN)?.length ?? 0;
    if (copies === 0) return false;
    this.parts = [message];
    this.copiesLeft = copies;
    return true;
  }

  /** Adds a message of the held-back sequence; returns the whole sequence once its last COPY is done. */
  add(message: Uint8Array): Uint8Array | undefined {
    this.parts.push(message);
    if (message[0] === COPY_DONE || message[0] === COPY_FAIL) this.copiesLeft--;
    if (this.copiesLeft > 0) return undefined;
    return this.take();
  }

  /** Gives up the sequence held back (its connection went away). */
  reset(): void {
    this.parts = [];
    this.copiesLeft = 0;
  }

  private take(): Uint8Array {
    const sequence = Buffer.concat(this.parts);
    this.reset();
    return sequence;
  }
}

/** A CopyInResponse for rows in text format (the column count does not matter to clients). */
export function copyInResponse(): Uint8Array {
  const message = Buffer.alloc(8);
  message[0] = COPY_IN_RESPONSE;
  message.writeInt32BE(7, 1);
  message[5] = 0; // text
  message.writeInt16BE(0, 6);
  return message;
}

/** The server's messages in `output` without the first CopyInResponse (the client already had one). */
export function withoutFirstCopyInResponse(output: Uint8Array): Uint8Array {
  for (let at = 0; at + 5 <= output.length;) {
    const length = Buffer.from(output.buffer, output.byteOffset + at + 1, 4).readInt32BE(0);
    if (output[at] === COPY_IN_RESPONSE) {
      return Buffer.concat([output.subarray(0, at), output.subarray(at + 1 + length)]);
    }
    at += 1 + length;
  }
  return output;
}
