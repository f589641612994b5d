import { ByteWriter } from '../db/byte-writer.js';

/**
 * Messages of the events stream as read and not yet decoded: what a reader
 * hands the feed, in a few large values that a thread can pass on cheaply.
 */
export interface RawEvents {
  readonly positions: Float64Array;
  /** The messages' payloads one after the other; message i's ends at `ends[i]`. */
  readonly data: Uint8Array;
  readonly ends: Uint32Array;
  /** Their subjects, one per line. */
  readonly subjects: string;
}

/** Collects messages into RawEvents. */
export class RawEventsWriter {
  private positions: number[] = [];
  private ends: number[] = [];
  private subjects: string[] = [];
  private data = new ByteWriter(256 * 1024);

  get count(): number {
    return this.positions.length;
  }

  add(position: number, data: Uint8Array, subject: string): void {
    this.positions.push(position);
    this.data.append(data);
    this.ends.push(this.data.size);
    this.subjects.push(subject);
  }

  /** What was collected, leaving the writer empty. */
  take(): RawEvents {
    const raw: RawEvents = {
      positions: Float64Array.from(this.positions),
      data: this.data.since(0),
      ends: Uint32Array.from(this.ends),
      subjects: this.subjects.join('\n'),
    };
    this.positions = [];
    this.ends = [];
    this.subjects = [];
    this.data = new ByteWriter(Math.max(64 * 1024, raw.data.length));
    return raw;
  }
}
