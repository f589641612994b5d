import { mergeTree, type MergeTreeResult } from './merge-tree.js';

/**
 * Merge results of commit pairs. Commits never change, so the merge of a base
 * commit and a head commit is computed once: conflict checks of every open
 * pull request (after each merge, and on every poll) cost a git process only
 * for pairs not seen before, which is after the base or the head moved.
 * Least recently used pairs are forgotten first.
 */
export class MergeTreeCache {
  readonly #results = new Map<string, Promise<MergeTreeResult>>();
  readonly #repoDir: string;
  readonly #capacity: number;

  /** @param capacity pairs remembered @default 512, a few hundred open pull requests' worth */
  constructor(repoDir: string, capacity = 512) {
    this.#repoDir = repoDir;
    this.#capacity = capacity;
  }

  merge(base: string, head: string): Promise<MergeTreeResult> {
    const key = `${base} ${head}`;
    const known = this.#results.get(key);
    if (known) {
      this.#results.delete(key);
      this.#results.set(key, known);
      return known;
    }
    const result = mergeTree(this.#repoDir, base, head);
    this.#results.set(key, result);
    // A merge git could not do is not an answer to remember.
    result.catch(() => {
      if (this.#results.get(key) === result) this.#results.delete(key);
    });
    if (this.#results.size > this.#capacity) this.#results.delete(this.#results.keys().next().value!);
    return result;
  }
}
