import { Inject, Injectable, Logger } from '@nestjs/common';
import {
  ChecksReportedSchema,
  ConflictDetectedSchema,
  create,
  MergeFailedSchema,
  PullRequestClosedSchema,
  PullRequestMergedSchema,
  PullRequestOpenedSchema,
  PullRequestUpdatedSchema,
  ReviewSubmittedSchema,
  ReviewVerdict,
  RunKind,
  TaskNeedsAttentionSchema,
  type Envelope,
  type EnvelopeOf,
  type NewEvent,
  type SubmitReview,
  type TaskEvent,
} from '@cohort/contracts';
import { findRun, fold, isFinal, isPullRequestOpen, type TaskState } from '@cohort/domain';
import { eventIdFor, type EventStore } from '@cohort/eventstore';
import type { Forge } from '@cohort/forges';
import { CommandFailure, eventTrace, type CommandAcceptedInit } from '@cohort/messaging';
import { checkStatusOf, checksOf, forgeVerdict, mergeErrorInfo } from './forge-mapping.js';
import { CoalescedRuns } from './coalesced-runs.js';
import { ForgeRegistry, type RepoForge } from './forge-registry.js';
import { EVENT_STORE } from './tokens.js';

/** A merge that lost the race with a push to the base is computed again this often before the message is retried. */
const MERGE_ATTEMPTS = 3;
/** Who a SubmitReview command is recorded as (the command carries no identity yet). */
export const COMMAND_REVIEWER = 'user';

interface TaskView {
  readonly events: readonly Envelope[];
  readonly state: TaskState;
}

/**
 * The local git forge behind NATS: opens pull requests for the task branches
 * the scheduler asks for, runs CI on every new head, records reviews, watches
 * for conflicts with a moving base and merges exactly once. Every fact is
 * appended with an id derived from it (`<taskId>:pr-opened:<n>`,
 * `<taskId>:checks:<head>` …) after a look at the history, so a redelivered
 * message neither repeats a side effect nor records a fact twice.
 */
@Injectable()
export class PullRequestWatcher {
  private readonly log = new Logger('PullRequestWatcher');
  /** Conflict checks per repository: merges in a burst share one check instead of each checking every open pull request. */
  private readonly conflictChecks = new CoalescedRuns<number>();

  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(ForgeRegistry) private readonly forges: ForgeRegistry,
  ) {}

  async onPullRequestRequested(event: EnvelopeOf<'PullRequestRequested'>): Promise<void> {
    const taskId = event.aggregateId;
    const task = await this.readTask(taskId);
    if (!task || isFinal(task.state.status)) return this.skip(taskId, 'the task is unknown or final');
    const repo = await this.forgeOf(task);
    if (!repo) return;
    if (task.state.pr && isPullRequestOpen(task.state)) {
      // Opened already (a redelivery, or a crash before the checks): finish what is missing.
      return this.checkHead(taskId, repo, task.state.pr.number);
    }
    const request = event.data;
    const opened = await repo.forge.openPullRequest({
      branch: request.branch,
      base: request.baseBranch,
      title: request.title,
      body: request.body,
      draft: request.draft,
    });
    if (!opened.ok) {
      this.log.warn(`task ${taskId}: pull request for ${request.branch} not opened (${opened.error.category}): ${opened.error.message}`);
      await this.appendOnce(taskId, [
        {
          id: eventIdFor(`${taskId}:pr-not-opened:${request.headSha || request.branch}`),
          type: 'TaskNeedsAttention',
          data: create(TaskNeedsAttentionSchema, {
            reason: 'non_retryable_error',
            detail: `the pull request for ${request.branch} could not be opened: ${opened.error.message}`,
          }),
        },
      ]);
      return;
    }
    const pr = opened.value.pullRequest;
    await this.appendOnce(taskId, [
      {
        id: eventIdFor(`${taskId}:pr-opened:${pr.number}`),
        type: 'PullRequestOpened',
        data: create(PullRequestOpenedSchema, {
          number: pr.number,
          url: repo.urlOf(pr.number),
          branch: pr.branch,
          baseBranch: pr.base,
          headSha: pr.headSha,
        }),
      },
    ]);
    this.log.log(`task ${taskId}: pull request #${pr.number} ${opened.value.created ? 'opened' : 'found open'} for ${pr.branch}`);
    // Cancelled while the pull request was being opened: the TaskCancelled handler may have found none to close.
    if ((await this.readTask(taskId))?.state.status === 'cancelled') return this.closeForCancel(taskId, repo, pr.number);
    await this.checkHead(taskId, repo, pr.number);
  }

  /** A cancelled task's open pull request is closed (not merged, branch kept) → PullRequestClosed. */
  async onTaskCancelled(event: EnvelopeOf<'TaskCancelled'>): Promise<void> {
    const taskId = event.aggregateId;
    const task = await this.readTask(taskId);
    if (!task || !task.state.pr || !isPullRequestOpen(task.state)) return this.skip(taskId, 'no open pull request to close');
    const repo = await this.forgeOf(task);
    if (!repo) return;
    await this.closeForCancel(taskId, repo, task.state.pr.number);
  }

  /** Idempotent: closing a closed pull request is a no-op in the forge, and the event is appended once. */
  private async closeForCancel(taskId: string, repo: RepoForge, number: number): Promise<void> {
    const closed = await repo.forge.close(number);
    if (!closed.ok) {
      if (closed.error.category === 'not_open' || closed.error.category === 'not_found') {
        // Merged meanwhile (its PullRequestMerged tells the story), or gone from the forge: nothing to close.
        this.log.warn(`task ${taskId}: pull request #${number} not closed after the cancel: ${closed.error.message}`);
        return;
      }
      throw new Error(`closing pull request #${number} of cancelled task ${taskId}: ${closed.error.message}`); // retried by redelivery
    }
    const appended = await this.appendOnce(taskId, [
      {
        id: eventIdFor(`${taskId}:pr-closed:${number}`),
        type: 'PullRequestClosed',
        data: create(PullRequestClosedSchema, { number }),
      },
    ]);
    if (appended) this.log.log(`task ${taskId}: pull request #${number} closed because the task was cancelled`);
  }

  /**
   * A work run that pushed new commits onto the open pull request's branch → PullRequestUpdated
   * and checks of the new head; a review run with a verdict → ReviewSubmitted by the agent.
   */
  async onRunFinished(event: EnvelopeOf<'RunFinished'>): Promise<void> {
    const taskId = event.aggregateId;
    const task = await this.readTask(taskId);
    const run = task && findRun(task.state, event.data.runId);
    if (!task || !run || !task.state.pr || !isPullRequestOpen(task.state)) return this.skip(taskId, 'no open pull request for this run');
    const repo = await this.forgeOf(task);
    if (!repo) return;
    const number = task.state.pr.number;
    if (run.kind === RunKind.REVIEW) {
      if (event.data.reviewVerdict === ReviewVerdict.UNSPECIFIED) return this.skip(taskId, `review run ${run.id} reached no verdict`);
      return this.recordAgentReview(taskId, task, repo, event);
    }
    const current = await repo.forge.getPullRequest(number);
    if (!current.ok) throw new Error(`pull request #${number} of task ${taskId}: ${current.error.message}`);
    const head = current.value.headSha;
    if (head !== task.state.pr.headSha) {
      await this.appendOnce(taskId, [
        {
          id: eventIdFor(`${taskId}:pr-updated:${number}:${head}`),
          type: 'PullRequestUpdated',
          data: create(PullRequestUpdatedSchema, { number, headSha: head }),
        },
      ]);
      this.log.log(`task ${taskId}: pull request #${number} updated to ${head.slice(0, 12)}`);
    }
    await this.checkHead(taskId, repo, number);
  }

  async onMergeRequested(event: EnvelopeOf<'MergeRequested'>): Promise<void> {
    const taskId = event.aggregateId;
    const { number, headSha } = event.data;
    const task = await this.readTask(taskId);
    if (!task || task.state.pr?.number !== number) return this.skip(taskId, `pull request #${number} is not the task’s`);
    if (task.state.pr.merged) return this.skip(taskId, `pull request #${number} is merged already`);
    const repo = await this.forgeOf(task);
    if (!repo) return;
    for (let attempt = 1; ; attempt++) {
      const merged = await repo.forge.merge(number, { method: 'squash', expectedHeadSha: headSha });
      if (merged.ok) {
        await this.appendOnce(taskId, [
          {
            id: eventIdFor(`${taskId}:merged:${number}`),
            type: 'PullRequestMerged',
            data: create(PullRequestMergedSchema, { number, mergeSha: merged.value.mergeCommitSha }),
          },
        ]);
        this.log.log(`task ${taskId}: pull request #${number} merged as ${merged.value.mergeCommitSha.slice(0, 12)}`);
        // The base just moved: the other open pull requests of the repository learn of conflicts now, not at the next poll.
        await this.pollRepo(repo.repoId).catch((error: unknown) =>
          this.log.warn(`conflict check after merge failed: ${(error as Error).message}`),
        );
        return;
      }
      const error = merged.error;
      if (error.category === 'base_moved') {
        if (attempt < MERGE_ATTEMPTS) continue;
        throw new Error(`pull request #${number} of task ${taskId}: ${error.message}`); // retried by redelivery
      }
      if (error.category === 'not_found') throw new Error(`pull request #${number} of task ${taskId} is not in the forge`);
      const events: NewEvent[] = [
        {
          id: eventIdFor(`${taskId}:merge-failed:${number}:${headSha}`),
          type: 'MergeFailed',
          data: create(MergeFailedSchema, { number, error: mergeErrorInfo(error) }),
        },
      ];
      if (error.category === 'conflict') {
        events.unshift(this.conflictEvent(taskId, number, headSha, '', error.conflictingFiles ?? []));
      }
      await this.appendOnce(taskId, events);
      this.log.warn(`task ${taskId}: merge of #${number} refused (${error.category}): ${error.message}`);
      return;
    }
  }

  /** The SubmitReview command: stores the review in the forge and records ReviewSubmitted. */
  async submitReview(command: SubmitReview): Promise<CommandAcceptedInit> {
    const verdict = forgeVerdict(command.verdict);
    if (verdict === undefined) {
      throw CommandFailure.validation(
        `verdict ${JSON.stringify(ReviewVerdict[command.verdict] ?? command.verdict)} is not accepted: use APPROVED, CHANGES_REQUESTED or COMMENTED`,
        'verdict',
      );
    }
    command.comments.forEach((comment, i) => {
      if (comment.path.trim() === '')
        throw CommandFailure.validation(
          `comments[${i}].path is empty: give the file path relative to the repository root`,
          `comments[${i}].path`,
        );
      if (comment.line < 1)
        throw CommandFailure.validation(`comments[${i}].line is ${comment.line}: lines start at 1`, `comments[${i}].line`);
    });
    const taskId = command.taskId;
    const task = await this.readTask(taskId);
    if (!task) throw CommandFailure.notFound(`task ${JSON.stringify(taskId)} does not exist`);
    if (!task.state.pr || !isPullRequestOpen(task.state))
      throw CommandFailure.conflict(`task ${JSON.stringify(taskId)} has no open pull request to review`);
    const repo = await this.forgeOf(task);
    if (!repo) throw CommandFailure.conflict(`task ${JSON.stringify(taskId)} has no forge this service can reach`);
    const number = task.state.pr.number;
    const review = await repo.forge.submitReview(number, {
      verdict,
      body: command.body,
      comments: command.comments.map((c) => ({ path: c.path, line: c.line, body: c.body })),
      reviewer: COMMAND_REVIEWER,
    });
    if (!review.ok) {
      if (review.error.category === 'invalid_request') throw CommandFailure.validation(review.error.message, 'comments');
      throw CommandFailure.conflict(`pull request #${number} of task ${JSON.stringify(taskId)}: ${review.error.message}`);
    }
    const id = eventIdFor(`${taskId}:review:${review.value.id}`);
    const result = await this.appendOnce(taskId, [
      {
        id,
        type: 'ReviewSubmitted',
        data: create(ReviewSubmittedSchema, {
          number,
          headSha: review.value.headSha,
          verdict: command.verdict,
          reviewer: COMMAND_REVIEWER,
          body: command.body,
          comments: command.comments,
        }),
      },
    ]);
    return { aggregateId: taskId, eventIds: [id], ...(result ? { position: String(result.position) } : {}) };
  }

  /**
   * Looks at every open pull request of every registered repository: a head
   * that no longer merges cleanly into its (moved) base → ConflictDetected.
   */
  async pollConflicts(): Promise<number> {
    let found = 0;
    for (const repoId of await this.forges.repoIds()) found += await this.pollRepo(repoId);
    return found;
  }

  /** The open pull requests of one repository whose task knows them; resolves to how many new conflicts were recorded. */
  private pollRepo(repoId: string): Promise<number> {
    return this.conflictChecks.run(repoId, () => this.checkRepoConflicts(repoId));
  }

  private async checkRepoConflicts(repoId: string): Promise<number> {
    const lookup = await this.forges.forRepo(repoId);
    if (!lookup.ok) return 0;
    let found = 0;
    for (const pr of await lookup.value.forge.listOpen()) {
      const taskId = pr.branch.startsWith('cohort/') ? pr.branch.slice('cohort/'.length) : '';
      if (!taskId) continue;
      const task = await this.readTask(taskId);
      if (!task || task.state.pr?.number !== pr.number || !isPullRequestOpen(task.state)) continue;
      if (await this.detectConflict(taskId, lookup.value.forge, pr.number)) found++;
    }
    return found;
  }

  private async recordAgentReview(taskId: string, task: TaskView, repo: RepoForge, event: EnvelopeOf<'RunFinished'>): Promise<void> {
    const run = event.data;
    const number = task.state.pr!.number;
    const id = eventIdFor(`${run.runId}:review`);
    if (task.events.some((e) => e.id === id)) return this.skip(taskId, `the review of run ${run.runId} is recorded`);
    const verdict = forgeVerdict(run.reviewVerdict)!;
    const reviewer = `review-agent`;
    // The forge refuses a request for changes with neither body nor comments; the verdict must not be lost for that.
    const body = run.summary || `${ReviewVerdict[run.reviewVerdict]} by the review agent (run ${run.runId}).`;
    const reviewed = findRun(task.state, run.runId)?.headSha || task.state.pr!.headSha;
    // The forge has no idempotency key: a review from an earlier delivery is recognised by its content.
    const existing = await repo.forge.listReviews(number);
    const stored = existing.ok
      ? existing.value.find((r) => r.reviewer === reviewer && r.body === body && r.verdict === verdict)
      : undefined;
    if (!stored) {
      const review = await repo.forge.submitReview(number, { verdict, body, comments: [], reviewer });
      if (!review.ok) return this.skip(taskId, `the agent's review could not be stored: ${review.error.message}`);
    }
    await this.appendOnce(taskId, [
      {
        id,
        type: 'ReviewSubmitted',
        data: create(ReviewSubmittedSchema, {
          number,
          headSha: reviewed,
          verdict: run.reviewVerdict,
          reviewer,
          body,
          byAgent: true,
          runId: run.runId,
        }),
      },
    ]);
  }

  /** CI on the pull request's current head unless its result is recorded, then a look for conflicts. */
  private async checkHead(taskId: string, repo: RepoForge, number: number): Promise<void> {
    const current = await repo.forge.getPullRequest(number);
    if (!current.ok) throw new Error(`pull request #${number} of task ${taskId}: ${current.error.message}`);
    if (current.value.state !== 'open') return;
    const head = current.value.headSha;
    const checksId = eventIdFor(`${taskId}:checks:${head}`);
    const events = (await this.readTask(taskId))?.events ?? [];
    if (!events.some((e) => e.id === checksId)) {
      const report = await repo.forge.runChecks(number);
      if (!report.ok) throw new Error(`checks of pull request #${number} of task ${taskId}: ${report.error.message}`);
      // CI ran on whatever the head was when it started; the id names that head.
      await this.appendOnce(taskId, [
        {
          id: eventIdFor(`${taskId}:checks:${report.value.headSha}`),
          type: 'ChecksReported',
          data: create(ChecksReportedSchema, {
            number,
            headSha: report.value.headSha,
            status: checkStatusOf(report.value.status),
            checks: checksOf(report.value),
          }),
        },
      ]);
      this.log.log(`task ${taskId}: checks of #${number} at ${report.value.headSha.slice(0, 12)} ${report.value.status}`);
    }
    await this.detectConflict(taskId, repo.forge, number);
  }

  /** Resolves to whether a new conflict was recorded. */
  private async detectConflict(taskId: string, forge: Forge, number: number): Promise<boolean> {
    const mergeability = await forge.mergeability(number);
    if (!mergeability.ok || mergeability.value.mergeable) return false;
    const { headSha, baseSha, conflictingFiles } = mergeability.value;
    const appended = await this.appendOnce(taskId, [this.conflictEvent(taskId, number, headSha, baseSha, conflictingFiles)]);
    if (appended)
      this.log.log(`task ${taskId}: #${number} at ${headSha.slice(0, 12)} conflicts with its base in ${conflictingFiles.join(', ')}`);
    return appended !== undefined;
  }

  /** One ConflictDetected per head: a head that conflicts stays conflicting until new commits land. */
  private conflictEvent(taskId: string, number: number, headSha: string, baseSha: string, files: readonly string[]): NewEvent {
    return {
      id: eventIdFor(`${taskId}:conflict:${number}:${headSha}`),
      type: 'ConflictDetected',
      data: create(ConflictDetectedSchema, { number, headSha, baseSha, files: [...files] }),
    };
  }

  /**
   * Appends the events the history does not hold yet (by id: JetStream's
   * duplicate window is short, the history is not). Facts about the forge hold
   * whatever else happened to the task meanwhile, hence no expected version.
   */
  private async appendOnce(taskId: string, events: readonly NewEvent[]): Promise<{ position: number } | undefined> {
    const { events: history } = await this.store.read({ type: 'task', id: taskId });
    const known = new Set(history.map((e) => e.id));
    const fresh = events.filter((e) => !known.has(e.id)).map((e) => ({ ...eventTrace(), ...e }));
    if (fresh.length === 0) return undefined;
    const result = await this.store.append({ type: 'task', id: taskId }, fresh, { expectedVersion: 'any' });
    return result.duplicate ? undefined : { position: result.position };
  }

  private async readTask(taskId: string): Promise<TaskView | undefined> {
    const { events } = await this.store.read({ type: 'task', id: taskId });
    if (events[0]?.type !== 'TaskCreated') return undefined;
    return { events, state: fold(events as readonly Envelope<TaskEvent>[])! };
  }

  private async forgeOf(task: TaskView): Promise<RepoForge | undefined> {
    const lookup = await this.forges.forRepo(task.state.spec.repoId);
    if (lookup.ok) return lookup.value;
    this.log.warn(`task ${task.state.id}: ${lookup.reason}`);
    return undefined;
  }

  private skip(taskId: string, reason: string): void {
    this.log.debug(`task ${taskId}: nothing to do (${reason})`);
  }
}
