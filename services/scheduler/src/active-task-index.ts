import type { KV, KvWatchEntry } from '@nats-io/kv';
import type { QueuedIterator } from '@nats-io/transport-node';
import { decodeActiveTask, encodeActiveTask, type ActiveTask } from './active-task.js';

const WRONG_LAST_SEQUENCE = 10071;
const UPDATE_ATTEMPTS = 5;

/**
 * The set of non-terminal tasks, kept in a JetStream KV bucket so scheduling
 * needs nothing but NATS. Every replica mirrors the bucket in memory through a
 * watch, so counting slots in use costs no round trip; the bucket is the truth.
 */
export class ActiveTaskIndex {
  private readonly mirror = new Map<string, ActiveTask>();
  // Latest bucket revision seen per key, deletes included: the watch and this
  // replica's own writes both update the mirror, and a write acknowledged late
  // must not bring back an entry the watch already saw deleted.
  private readonly revisions = new Map<string, number>();
  private watcher: QueuedIterator<KvWatchEntry> | undefined;
  private watching: Promise<void> | undefined;

  constructor(private readonly kv: KV) {}

  /** Loads the bucket and follows every change from any replica. Resolves once the initial values are in. */
  async start(): Promise<void> {
    let ready!: () => void;
    const loaded = new Promise<void>((resolve) => (ready = resolve));
    this.watcher = await this.kv.watch();
    this.watching = (async () => {
      for await (const entry of this.watcher!) {
        this.apply(entry);
        // The last of the initial values has nothing pending after it; later ones are updates.
        if (entry.delta === 0 || entry.isUpdate) ready();
      }
    })();
    if ((await this.kv.status()).values === 0) ready();
    await loaded;
  }

  async stop(): Promise<void> {
    this.watcher?.stop();
    await this.watching?.catch(() => undefined);
  }

  all(): ActiveTask[] {
    return [...this.mirror.values()];
  }

  get(taskId: string): ActiveTask | undefined {
    return this.mirror.get(taskId);
  }

  /** Every key in the bucket, asked of the server rather than the mirror: the resync's list. */
  async ids(): Promise<string[]> {
    const ids: string[] = [];
    for await (const key of await this.kv.keys()) ids.push(key);
    return ids;
  }

  /**
   * Writes the summary unless the bucket already holds one of a later version
   * (replicas may finish reconciling one task out of order).
   */
  async put(task: ActiveTask): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      const current = await this.kv.get(task.taskId);
      const stored = current?.operation === 'PUT' ? decodeActiveTask(task.taskId, current.value) : undefined;
      if (stored !== undefined && (stored.version > task.version || sameSummary(stored, task))) {
        this.remember(task.taskId, stored, current!.revision);
        return;
      }
      try {
        const revision =
          current === null
            ? await this.kv.create(task.taskId, encodeActiveTask(task))
            : await this.kv.update(task.taskId, encodeActiveTask(task), current.revision);
        this.remember(task.taskId, task, revision);
        return;
      } catch (error) {
        if (!isRevisionConflict(error) || attempt >= UPDATE_ATTEMPTS) throw error;
      }
    }
  }

  /** The task is final: it leaves the set. */
  async remove(taskId: string): Promise<void> {
    this.mirror.delete(taskId);
    await this.kv.delete(taskId);
  }

  /** Applies a value (undefined: deleted) unless a later revision of the key is already known. */
  private remember(key: string, task: ActiveTask | undefined, revision: number): void {
    if ((this.revisions.get(key) ?? 0) >= revision) return;
    this.revisions.set(key, revision);
    if (task === undefined) this.mirror.delete(key);
    else this.mirror.set(key, task);
  }

  private apply(entry: KvWatchEntry): void {
    const task = entry.operation === 'PUT' ? decodeActiveTask(entry.key, entry.value) : undefined;
    this.remember(entry.key, task, entry.revision);
  }
}

function sameSummary(a: ActiveTask, b: ActiveTask): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

function isRevisionConflict(error: unknown): boolean {
  if (typeof error !== 'object' || error === null) return false;
  const e = error as { code?: unknown; api_error?: { err_code?: number }; message?: unknown };
  if (e.api_error?.err_code === WRONG_LAST_SEQUENCE || e.code === WRONG_LAST_SEQUENCE) return true;
  return typeof e.message === 'string' && /wrong last sequence|key exists/i.test(e.message);
}
