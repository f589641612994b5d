import { randomUUID } from 'node:crypto';
import { link, mkdir, readdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { PullRequest, Review } from './forge.js';
import { readJsonIfExists, writeJsonAtomic } from '@cohort/runtime';
import { KeyedMutex } from '@cohort/runtime';

/** A pull request as stored: the public record plus its reviews and any merge in flight. */
export interface StoredPullRequest extends PullRequest {
  readonly reviews: readonly Review[];
  /**
   * Written just before the base ref is moved, so that a merge interrupted between
   * moving the ref and recording the result is recognised and not repeated.
   */
  readonly pendingMerge?: { readonly commitSha: string; readonly baseShaBefore: string; readonly headSha: string };
}

const filePattern = /^(\d{6,})\.json$/;

/** File name of pull request `number`, zero-padded so a directory listing sorts by number. */
export function pullFileName(number: number): string {
  return `${String(number).padStart(6, '0')}.json`;
}

export function parsePullFileName(name: string): number | undefined {
  const match = filePattern.exec(name);
  return match?.[1] === undefined ? undefined : Number(match[1]);
}

/** The number after the highest one among `names`; 1 for an empty store. Other files are ignored. */
export function nextPullNumber(names: readonly string[]): number {
  let max = 0;
  for (const name of names) max = Math.max(max, parsePullFileName(name) ?? 0);
  return max + 1;
}

/**
 * Pull requests as one JSON file each under `<dir>/pulls/`. Numbers are allocated by
 * hard-linking a fully written temp file to the numbered name: link() fails if the
 * name exists, so two writers (even in two processes) never get the same number and
 * a reader never sees a half-written record.
 */
export class PullRequestStore {
  readonly #pullsDir: string;
  readonly #locks = new KeyedMutex();

  constructor(dir: string) {
    this.#pullsDir = join(dir, 'pulls');
  }

  async create(build: (number: number) => StoredPullRequest): Promise<StoredPullRequest> {
    await mkdir(this.#pullsDir, { recursive: true });
    for (;;) {
      const number = nextPullNumber(await readdir(this.#pullsDir));
      const record = build(number);
      const tmp = join(this.#pullsDir, `.${randomUUID()}.tmp`);
      await writeFile(tmp, `${JSON.stringify(record, null, 2)}\n`);
      try {
        await link(tmp, join(this.#pullsDir, pullFileName(number)));
        return record;
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      } finally {
        await rm(tmp, { force: true });
      }
    }
  }

  read(number: number): Promise<StoredPullRequest | undefined> {
    if (!Number.isSafeInteger(number) || number < 1) return Promise.resolve(undefined);
    return readJsonIfExists<StoredPullRequest>(join(this.#pullsDir, pullFileName(number)));
  }

  async list(): Promise<readonly StoredPullRequest[]> {
    let names: string[];
    try {
      names = await readdir(this.#pullsDir);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw error;
    }
    const numbers = names.map(parsePullFileName).filter((n): n is number => n !== undefined);
    const records = await Promise.all(numbers.sort((a, b) => a - b).map((n) => this.read(n)));
    return records.filter((r): r is StoredPullRequest => r !== undefined);
  }

  /** Replaces a record; call inside `locked` for that number. */
  write(record: StoredPullRequest): Promise<void> {
    return writeJsonAtomic(join(this.#pullsDir, pullFileName(record.number)), record);
  }

  /** Runs read-modify-write work on one pull request without interleaving with other work on it. */
  locked<T>(number: number, work: () => Promise<T>): Promise<T> {
    return this.#locks.run(String(number), work);
  }
}
