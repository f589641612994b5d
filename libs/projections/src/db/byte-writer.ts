/**
 * Text appended as UTF-8 into one growing buffer, so a batch's rows become
 * bytes once, without megabyte-long strings on the JavaScript heap first.
 */
export class ByteWriter {
  private buffer: Buffer;
  private length = 0;

  constructor(initialBytes = 64 * 1024) {
    this.buffer = ownBuffer(initialBytes);
  }

  get size(): number {
    return this.length;
  }

  write(text: string): void {
    // A UTF-16 code unit never takes more than 3 bytes in UTF-8; only when that might not fit is it counted.
    if (text.length * 3 > this.buffer.length - this.length) {
      const bytes = Buffer.byteLength(text);
      if (bytes > this.buffer.length - this.length) this.grow(bytes);
    }
    this.length += this.buffer.write(text, this.length);
  }

  append(bytes: Uint8Array): void {
    if (bytes.length > this.buffer.length - this.length) this.grow(bytes.length);
    this.buffer.set(bytes, this.length);
    this.length += bytes.length;
  }

  /** The bytes written since `start`. A view: later writes do not change it. */
  since(start: number): Uint8Array {
    return this.buffer.subarray(start, this.length);
  }

  /** Starts again from empty, reusing the buffer: only once nothing holds a view of it any more. */
  reset(): void {
    this.length = 0;
  }

  private grow(needed: number): void {
    const next = ownBuffer(Math.max(this.buffer.length * 2, this.length + needed));
    this.buffer.copy(next, 0, 0, this.length);
    this.buffer = next;
  }
}

/** Not Buffer.allocUnsafe: a small one is a slice of a shared pool, which could not be handed to another thread. */
function ownBuffer(bytes: number): Buffer {
  return Buffer.from(new ArrayBuffer(bytes));
}
