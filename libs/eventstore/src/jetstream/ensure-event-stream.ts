import { JetStreamApiError, StorageType, type JetStreamManager, type StreamConfig } from '@nats-io/jetstream';
import { nanos } from '@nats-io/transport-node';
import type { Topology } from '@cohort/contracts';

export interface EventStreamOptions {
  /**
   * How long JetStream remembers an event id to drop a re-publish of it. A
   * retry after an unknown outcome (timeout, outage) is only idempotent
   * within this window.
   * @default 300_000 (5 minutes)
   */
  readonly duplicateWindowMs?: number;
}

export const DEFAULT_DUPLICATE_WINDOW_MS = 5 * 60_000;
const STREAM_NOT_FOUND = 10059;

/**
 * Creates the events stream, or brings an existing one to this configuration.
 * Safe to call from every service at start-up, concurrently.
 */
export async function ensureEventStream(jsm: JetStreamManager, topology: Topology, options: EventStreamOptions = {}): Promise<void> {
  const wanted: Partial<StreamConfig> & { name: string } = {
    name: topology.streams.events,
    subjects: [topology.allEvents],
    storage: StorageType.File,
    duplicate_window: nanos(options.duplicateWindowMs ?? DEFAULT_DUPLICATE_WINDOW_MS),
  };
  let existing: StreamConfig;
  try {
    existing = (await jsm.streams.info(topology.streams.events)).config;
  } catch (error) {
    if (!(error instanceof JetStreamApiError && error.code === STREAM_NOT_FOUND)) throw error;
    try {
      await jsm.streams.add(wanted);
      return;
    } catch (addError) {
      // Another service created it between our info and add: fall through and compare.
      existing = (await jsm.streams.info(topology.streams.events).catch(() => Promise.reject(addError))).config;
    }
  }
  if (existing.storage !== StorageType.File) {
    throw new Error(`stream ${existing.name} uses ${existing.storage} storage; events need file storage: delete and recreate it`);
  }
  const subjectsMatch = existing.subjects.length === 1 && existing.subjects[0] === topology.allEvents;
  if (!subjectsMatch || existing.duplicate_window !== wanted.duplicate_window) {
    await jsm.streams.update(topology.streams.events, { subjects: wanted.subjects, duplicate_window: wanted.duplicate_window });
  }
}
