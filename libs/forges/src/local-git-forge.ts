import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { runCiInFreshCheckout } from './ci-runner.js';
import type {
  ChecksReport,
  Forge,
  ForgeError,
  Mergeability,
  MergeInput,
  MergeOutcome,
  OpenedPullRequest,
  OpenPullRequestInput,
  PullRequest,
  Review,
  ReviewInput,
} from './forge.js';
import { branchNameProblem, git, gitOk, resolveBranchHeads } from '@cohort/runtime';
import { KeyedMutex } from '@cohort/runtime';
import { MergeTreeCache } from './merge-tree-cache.js';
import type { OutputTailOptions } from '@cohort/runtime';
import { PullRequestStore, type StoredPullRequest } from './pull-request-store.js';
import { err, ok, type Result } from '@cohort/runtime';

export interface LocalGitForgeOptions {
  /** The bare repository that is the repo's origin. */
  readonly originPath: string;
  /**
   * Where pull requests are stored.
   * @default `<originPath>/cohort-forge`
   */
  readonly storeDir?: string;
  /** Shell command that is the repo's CI; without one, runChecks reports passing with no checks. */
  readonly ciCommand?: string;
  /**
   * Name of the single check the CI command produces.
   * @default 'ci'
   */
  readonly ciCheckName?: string;
  /**
   * Limit for one CI run; the command's process group is killed when it passes.
   * @default 600_000 (10 minutes)
   */
  readonly ciTimeoutMs?: number;
  /**
   * Environment of the CI command (COHORT_PR_NUMBER and COHORT_HEAD_SHA are added).
   * @default process.env
   */
  readonly ciEnv?: NodeJS.ProcessEnv;
  /**
   * Bounds of the kept CI output.
   * @default { maxLines: 50, maxChars: 8192 }
   */
  readonly outputTail?: OutputTailOptions;
  /**
   * Committer of squash-merge commits (the author is the author of the pull request's head commit).
   * @default { name: 'Cohort', email: 'cohort@localhost' }
   */
  readonly committer?: { readonly name: string; readonly email: string };
  /**
   * Source of the current time for records.
   * @default () => new Date()
   */
  readonly clock?: () => Date;
}

/**
 * A forge made of a bare repository on disk: branches are pull request heads, pull
 * requests are JSON files, CI is a shell command, merges are compare-and-swap ref
 * updates. One process (one pr-watcher) is expected to own a store; within it, all
 * operations are safe to call concurrently.
 */
export class LocalGitForge implements Forge {
  readonly #origin: string;
  readonly #store: PullRequestStore;
  readonly #ciCommand: string | undefined;
  readonly #ciCheckName: string;
  readonly #ciTimeoutMs: number;
  readonly #ciEnv: NodeJS.ProcessEnv;
  readonly #tail: OutputTailOptions | undefined;
  readonly #committer: { readonly name: string; readonly email: string };
  readonly #clock: () => Date;
  readonly #openLock = new KeyedMutex();
  readonly #mergeTrees: MergeTreeCache;

  constructor(options: LocalGitForgeOptions) {
    this.#origin = options.originPath;
    this.#store = new PullRequestStore(options.storeDir ?? join(options.originPath, 'cohort-forge'));
    this.#ciCommand = options.ciCommand;
    this.#ciCheckName = options.ciCheckName ?? 'ci';
    this.#ciTimeoutMs = options.ciTimeoutMs ?? 600_000;
    this.#ciEnv = options.ciEnv ?? process.env;
    this.#tail = options.outputTail;
    this.#committer = options.committer ?? { name: 'Cohort', email: 'cohort@localhost' };
    this.#clock = options.clock ?? (() => new Date());
    this.#mergeTrees = new MergeTreeCache(this.#origin);
  }

  async openPullRequest(input: OpenPullRequestInput): Promise<Result<OpenedPullRequest, ForgeError>> {
    if (input.title.trim().length === 0) return invalid('pull request title is empty');
    if (input.branch === input.base) return invalid(`head and base are the same branch "${input.branch}"`);
    for (const branch of [input.branch, input.base]) {
      const problem = branchNameProblem(branch);
      if (problem) return invalid(`"${branch}" is not a valid branch name: it ${problem}`);
    }
    const heads = await this.#branchHeads([input.branch, input.base]);
    const headSha = heads.get(input.branch);
    if (!headSha) return branchMissing(input.branch);
    if (!heads.has(input.base)) return branchMissing(input.base);
    const behind = await git(['merge-base', '--is-ancestor', headSha, `refs/heads/${input.base}`], { cwd: this.#origin });
    if (behind.code === 0) return invalid(`"${input.branch}" has no commits that "${input.base}" does not already have`);

    // Serialized so that two concurrent opens for one branch cannot both miss each other.
    return this.#openLock.run('open', async () => {
      const existing = (await this.#store.list()).find((pr) => pr.state === 'open' && pr.branch === input.branch);
      if (existing) return ok({ pullRequest: await this.#present(existing), created: false });
      const now = this.#clock().toISOString();
      const created = await this.#store.create((number) => ({
        number,
        branch: input.branch,
        base: input.base,
        title: input.title,
        body: input.body,
        draft: input.draft ?? false,
        state: 'open',
        headSha,
        createdAt: now,
        updatedAt: now,
        reviews: [],
      }));
      return ok({ pullRequest: publicView(created), created: true });
    });
  }

  async getPullRequest(number: number): Promise<Result<PullRequest, ForgeError>> {
    const stored = await this.#store.read(number);
    return stored ? ok(await this.#present(stored)) : notFound(number);
  }

  async listOpen(): Promise<readonly PullRequest[]> {
    const open = (await this.#store.list()).filter((pr) => pr.state === 'open');
    const heads = await this.#branchHeads(open.map((pr) => pr.branch));
    return open.map((pr) => publicView({ ...pr, headSha: heads.get(pr.branch) ?? pr.headSha }));
  }

  async runChecks(number: number): Promise<Result<ChecksReport, ForgeError>> {
    const opened = await this.#openPullRequest(number);
    if (!opened.ok) return opened;
    const { pullRequest, headSha } = opened.value;

    let report: ChecksReport;
    if (this.#ciCommand === undefined) {
      report = { status: 'passing', checks: [], headSha };
    } else {
      const run = await runCiInFreshCheckout({
        originPath: this.#origin,
        headSha,
        command: this.#ciCommand,
        timeoutMs: this.#ciTimeoutMs,
        env: { ...this.#ciEnv, COHORT_PR_NUMBER: String(number), COHORT_HEAD_SHA: headSha },
        tail: this.#tail,
      });
      const status = run.exitCode === 0 && !run.timedOut ? 'passing' : 'failing';
      report = {
        status,
        headSha,
        checks: [{ name: this.#ciCheckName, status, outputTail: run.outputTail, exitCode: run.exitCode, durationMs: run.durationMs }],
      };
    }
    await this.#store.locked(pullRequest.number, async () => {
      const current = await this.#store.read(number);
      if (current) await this.#store.write({ ...current, lastChecks: report, updatedAt: this.#clock().toISOString() });
    });
    return ok(report);
  }

  async submitReview(number: number, input: ReviewInput): Promise<Result<Review, ForgeError>> {
    if (input.reviewer.trim().length === 0) return invalid('reviewer is empty');
    for (const comment of input.comments) {
      if (!Number.isSafeInteger(comment.line) || comment.line < 1) {
        return invalid(`comment on ${comment.path} has line ${comment.line}; lines start at 1`);
      }
      if (comment.path.length === 0 || comment.path.startsWith('/') || comment.path.split('/').includes('..')) {
        return invalid(`comment path "${comment.path}" must be relative to the repository root`);
      }
    }
    if (input.verdict === 'request_changes' && input.body.trim() === '' && input.comments.length === 0) {
      return invalid('a request for changes needs a body or at least one comment');
    }
    const opened = await this.#openPullRequest(number);
    if (!opened.ok) return opened;
    const review: Review = {
      id: randomUUID(),
      pullRequestNumber: number,
      verdict: input.verdict,
      body: input.body,
      comments: input.comments.map((c) => ({ path: c.path, line: c.line, body: c.body })),
      reviewer: input.reviewer,
      headSha: opened.value.headSha,
      submittedAt: this.#clock().toISOString(),
    };
    return this.#store.locked(number, async () => {
      const current = await this.#store.read(number);
      if (!current) return notFound(number);
      await this.#store.write({ ...current, reviews: [...current.reviews, review], updatedAt: review.submittedAt });
      return ok(review);
    });
  }

  async listReviews(number: number): Promise<Result<readonly Review[], ForgeError>> {
    const stored = await this.#store.read(number);
    return stored ? ok(stored.reviews) : notFound(number);
  }

  async mergeability(number: number): Promise<Result<Mergeability, ForgeError>> {
    const opened = await this.#openPullRequest(number);
    if (!opened.ok) return opened;
    const { pullRequest, headSha, baseSha } = opened.value;
    if (!baseSha) return branchMissing(pullRequest.base);
    const merged = await this.#mergeTrees.merge(baseSha, headSha);
    return ok({
      mergeable: merged.clean,
      conflictingFiles: merged.clean ? [] : merged.conflictingFiles,
      baseSha,
      headSha,
    });
  }

  merge(number: number, input: MergeInput): Promise<Result<MergeOutcome, ForgeError>> {
    return this.#store.locked(number, () => this.#mergeLocked(number, input));
  }

  async #mergeLocked(number: number, input: MergeInput): Promise<Result<MergeOutcome, ForgeError>> {
    let stored = await this.#store.read(number);
    if (!stored) return notFound(number);
    if (input.method !== 'squash') return invalid(`merge method "${String(input.method)}" is not supported; use "squash"`);
    if (stored.state === 'merged' && stored.merge) {
      return ok({ mergeCommitSha: stored.merge.commitSha, alreadyMerged: true, pullRequest: publicView(stored) });
    }
    if (stored.state !== 'open') return notOpen(stored);

    const baseRef = `refs/heads/${stored.base}`;
    if (stored.pendingMerge) {
      // An earlier merge stopped between moving the base and recording it: finish it, do not merge twice.
      const landed = await git(['merge-base', '--is-ancestor', stored.pendingMerge.commitSha, baseRef], { cwd: this.#origin });
      if (landed.code === 0) return ok(await this.#recordMerge(stored, stored.pendingMerge, true));
      stored = withoutPendingMerge(stored);
    }

    const heads = await this.#branchHeads([stored.branch, stored.base]);
    const headSha = heads.get(stored.branch);
    if (!headSha) return branchMissing(stored.branch);
    if (input.expectedHeadSha !== headSha) {
      return err({
        category: 'head_changed',
        message: `pull request #${number} head is ${headSha}, not the expected ${input.expectedHeadSha}; check it again before merging`,
        expectedHeadSha: input.expectedHeadSha,
        actualHeadSha: headSha,
      });
    }
    const baseShaBefore = heads.get(stored.base);
    if (!baseShaBefore) return branchMissing(stored.base);
    const merged = await this.#mergeTrees.merge(baseShaBefore, headSha);
    if (!merged.clean) {
      return err({
        category: 'conflict',
        message: `pull request #${number} conflicts with ${stored.base} in ${merged.conflictingFiles.join(', ')}`,
        conflictingFiles: merged.conflictingFiles,
      });
    }

    const commitSha = await this.#squashCommit(merged.tree, baseShaBefore, headSha, stored.title);
    const pending = { commitSha, baseShaBefore, headSha };
    await this.#store.write({ ...stored, pendingMerge: pending });
    // Compare-and-swap: succeeds only if the base is still where the merge was computed.
    const moved = await git(['update-ref', '-m', `cohort: squash-merge #${number}`, baseRef, commitSha, baseShaBefore], {
      cwd: this.#origin,
    });
    if (moved.code !== 0) {
      await this.#store.write(withoutPendingMerge(stored));
      return err({
        category: 'base_moved',
        message: `${stored.base} moved while merging pull request #${number}; nothing was merged, retry`,
      });
    }
    return ok(await this.#recordMerge(stored, pending, false));
  }

  async #squashCommit(tree: string, parent: string, headSha: string, title: string): Promise<string> {
    const [name = '', email = '', date = ''] = (
      await gitOk(['log', '-1', '--format=%an%x00%ae%x00%aD', headSha], { cwd: this.#origin })
    ).split('\0');
    return gitOk(['commit-tree', tree, '-p', parent, '-m', title], {
      cwd: this.#origin,
      env: {
        GIT_AUTHOR_NAME: name,
        GIT_AUTHOR_EMAIL: email,
        GIT_AUTHOR_DATE: date,
        GIT_COMMITTER_NAME: this.#committer.name,
        GIT_COMMITTER_EMAIL: this.#committer.email,
        GIT_COMMITTER_DATE: this.#clock().toISOString(),
      },
    });
  }

  async #recordMerge(
    stored: StoredPullRequest,
    pending: NonNullable<StoredPullRequest['pendingMerge']>,
    alreadyMerged: boolean,
  ): Promise<MergeOutcome> {
    const mergedAt = this.#clock().toISOString();
    const record: StoredPullRequest = {
      ...withoutPendingMerge(stored),
      state: 'merged',
      headSha: pending.headSha,
      merge: { ...pending, mergedAt },
      updatedAt: mergedAt,
    };
    await this.#store.write(record);
    return { mergeCommitSha: pending.commitSha, alreadyMerged, pullRequest: publicView(record) };
  }

  close(number: number): Promise<Result<PullRequest, ForgeError>> {
    return this.#store.locked(number, async () => {
      const stored = await this.#store.read(number);
      if (!stored) return notFound(number);
      if (stored.state === 'closed') return ok(publicView(stored));
      if (stored.state === 'merged') return notOpen(stored);
      const closed: StoredPullRequest = {
        ...stored,
        state: 'closed',
        headSha: (await this.#branchHead(stored.branch)) ?? stored.headSha,
        updatedAt: this.#clock().toISOString(),
      };
      await this.#store.write(closed);
      return ok(publicView(closed));
    });
  }

  /** An open pull request with its branch's head and its base's head (undefined when the base is gone). */
  async #openPullRequest(
    number: number,
  ): Promise<Result<{ pullRequest: StoredPullRequest; headSha: string; baseSha: string | undefined }, ForgeError>> {
    const stored = await this.#store.read(number);
    if (!stored) return notFound(number);
    if (stored.state !== 'open') return notOpen(stored);
    const heads = await this.#branchHeads([stored.branch, stored.base]);
    const headSha = heads.get(stored.branch);
    if (!headSha) return branchMissing(stored.branch);
    return ok({ pullRequest: stored, headSha, baseSha: heads.get(stored.base) });
  }

  /** Open pull requests show their branch's current head; others the head they ended with. */
  async #present(stored: StoredPullRequest): Promise<PullRequest> {
    if (stored.state !== 'open') return publicView(stored);
    const headSha = (await this.#branchHead(stored.branch)) ?? stored.headSha;
    return publicView({ ...stored, headSha });
  }

  async #branchHead(branch: string): Promise<string | undefined> {
    return (await this.#branchHeads([branch])).get(branch);
  }

  #branchHeads(branches: readonly string[]): Promise<Map<string, string>> {
    return resolveBranchHeads('refs/heads/', [...new Set(branches)], { cwd: this.#origin });
  }
}

function publicView(stored: StoredPullRequest): PullRequest {
  const { reviews: _reviews, pendingMerge: _pending, ...pullRequest } = stored;
  return pullRequest;
}

function withoutPendingMerge(stored: StoredPullRequest): StoredPullRequest {
  const { pendingMerge: _pending, ...rest } = stored;
  return rest;
}

const invalid = (message: string) => err<ForgeError>({ category: 'invalid_request', message });
const notFound = (number: number) => err<ForgeError>({ category: 'not_found', message: `no pull request #${number}` });
const branchMissing = (branch: string) =>
  err<ForgeError>({ category: 'branch_not_found', message: `branch "${branch}" does not exist on origin` });
const notOpen = (pr: StoredPullRequest) => err<ForgeError>({ category: 'not_open', message: `pull request #${pr.number} is ${pr.state}` });
