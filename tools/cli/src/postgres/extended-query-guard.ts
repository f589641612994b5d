import type { PGlite } from '@electric-sql/pglite';
import { CopyInCollector, copyInResponse, withoutFirstCopyInResponse } from './copy-in-collector.js';

/** Message types of the extended query protocol that leave the batch open until a Sync. */
const OPENS_BATCH = new Set(['P', 'B', 'D', 'E', 'C', 'H'].map((c) => c.charCodeAt(0)));
const SYNC = 'S'.charCodeAt(0);
const TERMINATE = 'X'.charCodeAt(0);
const SYNC_MESSAGE = new Uint8Array([SYNC, 0, 0, 0, 4]);

/** The part of PGlite that PGLiteSocketServer uses. */
type SessionOfServer = Pick<PGlite, 'waitReady' | 'isInTransaction' | 'runExclusive' | 'execProtocolRawStream' | 'exec'>;

/**
 * PGlite has a single backend session, which PGLiteSocketServer shares between all
 * connections: it runs one protocol message at a time and keeps one connection's
 * messages together only while that connection is inside BEGIN … COMMIT. A
 * parameterised query is several messages too (Parse, Bind, Describe, Execute, Sync),
 * and another connection's Parse arriving between them replaces the unnamed statement,
 * so a client gets someone else's rows. Reporting the session as in a transaction from
 * the first message of such a batch until its Sync makes the server keep the batch
 * together as well. A `COPY … FROM STDIN` and its rows are kept together the same
 * way, and reach PGlite as one sequence (see CopyInCollector).
 */
export class ExtendedQueryGuard implements SessionOfServer {
  private batchOpen = false;
  private readonly copyIn = new CopyInCollector();

  constructor(private readonly db: PGlite) {}

  get waitReady(): Promise<void> {
    return this.db.waitReady;
  }

  isInTransaction(): boolean {
    return this.batchOpen || this.copyIn.collecting || this.db.isInTransaction();
  }

  runExclusive<T>(fn: () => Promise<T>): Promise<T> {
    return this.db.runExclusive(fn);
  }

  async execProtocolRawStream(message: Uint8Array, options: Parameters<PGlite['execProtocolRawStream']>[1]): Promise<void> {
    if (this.copyIn.collecting) {
      const sequence = this.copyIn.add(message);
      if (sequence !== undefined) await this.execCopySequence(sequence, options);
      return;
    }
    if (this.copyIn.start(message)) {
      options.onRawData(copyInResponse());
      return;
    }
    const type = message[0];
    if (type !== undefined && OPENS_BATCH.has(type)) this.batchOpen = true;
    else if (type === SYNC || type === TERMINATE) this.batchOpen = false;
    await this.db.execProtocolRawStream(message, options);
  }

  private async execCopySequence(sequence: Uint8Array, options: Parameters<PGlite['execProtocolRawStream']>[1]): Promise<void> {
    const output: Uint8Array[] = [];
    await this.db.execProtocolRawStream(sequence, { ...options, onRawData: (data) => output.push(data.slice()) });
    options.onRawData(withoutFirstCopyInResponse(Buffer.concat(output)));
  }

  /** Called by the server to roll back what a vanished connection left open; its batch is closed first. */
  async exec(query: string, options?: Parameters<PGlite['exec']>[1]): ReturnType<PGlite['exec']> {
    this.copyIn.reset();
    if (this.batchOpen) {
      this.batchOpen = false;
      await this.db.runExclusive(() => this.db.execProtocolRaw(SYNC_MESSAGE));
    }
    return this.db.exec(query, options);
  }

  /** The guard in the place where the server expects a PGlite instance. */
  asServerDatabase(): PGlite {
    return this as unknown as PGlite;
  }
}
