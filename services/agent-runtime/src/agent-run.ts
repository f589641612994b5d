import { constants as osConstants } from 'node:os';
import type { AgentAdapter, AgentCommand, OutputStream, ReviewVerdict as AgentReviewVerdict } from '@cohort/agents';
import { UsageAccumulator } from '@cohort/agents';
import {
  create,
  ErrorCategory,
  ErrorInfoSchema,
  ReviewVerdict,
  RunFinishedSchema,
  RunOutcome,
  RunUsageReportedSchema,
  TaskKind,
  UsageSchema,
  type ErrorInfo,
  type Usage,
} from '@cohort/contracts';
import { classifyError, costOf } from '@cohort/domain';
import { eventIdFor, type EventStore } from '@cohort/eventstore';
import type { Redactor } from '@cohort/platform';
import { commitAndPush, spawnTree, taskBranchName, type ProcessExit, type ProcessTree } from '@cohort/runtime';
import type { HeartbeatWriter } from './heartbeats.js';
import type { LogPublisher } from './log-publisher.js';
import type { ProcessLedger } from './process-ledger.js';
import type { RunPlan } from './run-plan.js';
import { changesContainSecret } from './secret-scan.js';

/** Why the runtime itself stopped an agent. */
export type StopReason = 'cancelled' | 'shutdown' | 'timed_out';

export interface AgentRunDeps {
  readonly store: EventStore;
  readonly adapter: AgentAdapter;
  readonly logs: LogPublisher;
  readonly heartbeat: HeartbeatWriter;
  readonly ledger: ProcessLedger;
  readonly redactor: Redactor;
  readonly baseEnv: Readonly<Record<string, string | undefined>>;
  readonly killGraceMs: number;
  /** Past this the agent is killed and the run finishes as timed out. */
  readonly maxRunDurationMs: number;
  readonly usageReportMs: number;
  readonly commitAuthor: { readonly name: string; readonly email: string };
  readonly warn: (message: string) => void;
  /** Correlation and trace of the WorkspaceReady that started the run, carried onto its events. */
  readonly eventMeta: { readonly correlationId?: string; readonly causationId?: string; readonly traceparent?: string };
}

/** The facts RunFinished reports, before they become the event. */
export interface RunResult {
  readonly outcome: RunOutcome;
  readonly exitCode: number;
  readonly headSha: string;
  readonly hasChanges: boolean;
  readonly usage: Usage;
  readonly error: ErrorInfo | undefined;
  readonly summary: string;
  readonly reviewVerdict: ReviewVerdict;
}

const SUMMARY_MAX = 8000;
const ERROR_TAIL_LINES = 20;
const FINISH_ATTEMPTS = 5;

/**
 * One agent execution: spawns the adapter's command in the worktree, streams
 * its output, reports usage, and on exit commits, pushes and appends
 * RunFinished. `finished` settles once RunFinished is in the log.
 */
export class AgentRun {
  readonly finished: Promise<RunResult>;
  #tree: ProcessTree | undefined;
  #stopReason: StopReason | undefined;
  #usage: UsageAccumulator;
  #usageReports = 0;
  #lastUsageReportAt = 0;
  #usageChain: Promise<void> = Promise.resolve();
  #review: AgentReviewVerdict | undefined;
  #summary = '';
  #errorTail: string[] = [];
  #timeoutReason = '';

  constructor(
    readonly plan: RunPlan,
    private readonly command: AgentCommand,
    private readonly deps: AgentRunDeps,
  ) {
    this.#usage = new UsageAccumulator(plan.model);
    this.finished = this.run();
  }

  get stopReason(): StopReason | undefined {
    return this.#stopReason;
  }

  /**
   * Kills the agent's whole process tree; the run then finishes as cancelled, timed out,
   * or failed for a shutdown. `detail` says why a run timed out.
   */
  async stop(reason: StopReason, detail = ''): Promise<void> {
    if (this.#stopReason === undefined) {
      this.#stopReason = reason;
      this.#timeoutReason = detail;
    }
    await this.#tree?.kill();
  }

  private async run(): Promise<RunResult> {
    const { deps, plan } = this;
    await deps.heartbeat.start();
    let exit: ProcessExit | undefined;
    let spawnError: string | undefined;
    try {
      if (this.#stopReason === undefined) {
        this.#tree = spawnTree(this.command.command, this.command.args, {
          cwd: plan.workdir,
          env: { ...deps.baseEnv, ...this.command.env },
          // The prompt travels on stdin (or in args, per adapter), never through a shell.
          ...(this.command.stdin !== undefined ? { stdin: this.command.stdin } : {}),
          killGraceMs: deps.killGraceMs,
          onStdout: (line) => this.onLine(line, 'stdout'),
          onStderr: (line) => this.onLine(line, 'stderr'),
        });
        if (this.#tree.pid > 0) {
          await deps.ledger.record(plan.runId, this.#tree.pid).catch((error: unknown) => {
            deps.warn(`run ${plan.runId}: its process group was not written down: ${(error as Error).message}`);
          });
        }
        const limit = deps.maxRunDurationMs;
        const deadline = setTimeout(() => {
          deps.warn(`run ${plan.runId}: the agent ran for longer than ${limit} ms; killing it`);
          void this.stop('timed_out', `the agent ran for longer than the maximum run duration of ${describeMs(limit)}`);
        }, limit);
        deadline.unref();
        try {
          exit = await this.#tree.exited;
        } finally {
          clearTimeout(deadline);
        }
        // Whatever the agent left running in the background must not outlive its run.
        await this.#tree.kill();
        await deps.ledger.forget(plan.runId).catch(() => undefined);
      }
    } catch (error) {
      spawnError = `the agent "${plan.agent}" could not be started: ${(error as Error).message}`;
    }

    try {
      const result = await this.conclude(exit, spawnError);
      await this.#usageChain;
      await deps.logs.flushed();
      await this.appendFinished(result);
      return result;
    } finally {
      // Only now: a heartbeat gone before RunFinished would look like a stalled run. If RunFinished
      // could not be appended, the missing heartbeat lets the scheduler time the run out instead.
      await deps.heartbeat.stop();
    }
  }

  private async appendFinished(result: RunResult): Promise<void> {
    const { plan, deps } = this;
    const event = {
      id: eventIdFor(`${plan.runId}:RunFinished`),
      type: 'RunFinished' as const,
      data: create(RunFinishedSchema, {
        runId: plan.runId,
        outcome: result.outcome,
        exitCode: result.exitCode,
        branch: plan.taskKind === TaskKind.REPO ? this.branch() : '',
        headSha: result.headSha,
        usage: result.usage,
        ...(result.error ? { error: result.error } : {}),
        summary: result.summary,
        reviewVerdict: result.reviewVerdict,
        hasChanges: result.hasChanges,
      }),
      ...deps.eventMeta,
    };
    // The same event id on every try: a retry after a lost reply is dropped as a duplicate.
    for (let attempt = 1; ; attempt++) {
      try {
        await deps.store.append({ type: 'task', id: plan.taskId }, [event], { expectedVersion: 'any' });
        return;
      } catch (error) {
        if (attempt >= FINISH_ATTEMPTS) throw error;
        deps.warn(`RunFinished of ${plan.runId} not appended yet (${(error as Error).message}); retrying`);
        await new Promise((resolve) => setTimeout(resolve, 500 * attempt));
      }
    }
  }

  private onLine(line: string, stream: OutputStream): void {
    const parsed = this.deps.adapter.parseLine(line, stream);
    // Readers (cohort logs, the dashboard) do not know the agent's protocol: they get what the
    // adapter made of the line; a line it consumed without an entry (usage, progress) stays raw.
    const readable = parsed.entries.map((entry) => entry.text).join('\n');
    this.deps.logs.publish(stream, parsed.entries.length > 0 ? readable : line);
    for (const entry of parsed.entries) {
      if (entry.kind === 'result') this.#summary = entry.text;
      if (entry.level === 'error' || (stream === 'stderr' && entry.text.trim() !== '')) {
        this.#errorTail.push(entry.text);
        if (this.#errorTail.length > ERROR_TAIL_LINES) this.#errorTail.shift();
      }
    }
    if (parsed.review) this.#review = parsed.review;
    if (parsed.usage) {
      this.#usage.add(parsed.usage);
      this.maybeReportUsage();
    }
  }

  /** Cumulative usage now and then, so budgets can stop a long run early; the first report goes out at once. */
  private maybeReportUsage(): void {
    const now = Date.now();
    if (this.#usageReports > 0 && now - this.#lastUsageReportAt < this.deps.usageReportMs) return;
    this.#lastUsageReportAt = now;
    const n = ++this.#usageReports;
    const usage = this.totalUsage();
    const { plan } = this;
    this.#usageChain = this.#usageChain.then(() =>
      this.deps.store
        .append(
          { type: 'task', id: plan.taskId },
          [
            {
              id: eventIdFor(`${plan.runId}:RunUsageReported:${n}`),
              type: 'RunUsageReported',
              data: create(RunUsageReportedSchema, { runId: plan.runId, usage }),
              ...this.deps.eventMeta,
            },
          ],
          { expectedVersion: 'any' },
        )
        .then(
          () => undefined,
          (error: unknown) => this.deps.warn(`usage of run ${plan.runId} was not reported: ${(error as Error).message}`),
        ),
    );
  }

  private totalUsage(): Usage {
    const total = this.#usage.total();
    const usage = {
      inputTokens: total.inputTokens,
      cachedInputTokens: total.cachedInputTokens,
      outputTokens: total.outputTokens,
      costUsd: total.costUsd ?? 0,
      model: total.model,
    };
    if (total.costUsd === undefined) {
      const priced = costOf(usage);
      if (priced.ok) usage.costUsd = priced.costUsd;
      else this.deps.warn(`run ${this.plan.runId}: ${priced.message}`);
    }
    return create(UsageSchema, usage);
  }

  private branch(): string {
    return this.plan.branch || taskBranchName(this.plan.taskId);
  }

  private async conclude(exit: ProcessExit | undefined, spawnError: string | undefined): Promise<RunResult> {
    const { plan, deps } = this;
    const exitCode = exit === undefined ? -1 : exitCodeOf(exit);
    const base = {
      exitCode,
      headSha: '',
      hasChanges: false,
      usage: this.totalUsage(),
      summary: this.redact(this.#review ? reviewSummary(this.#review) : this.#summary).slice(0, SUMMARY_MAX),
      reviewVerdict: reviewVerdictOf(this.#review),
    };
    if (this.#stopReason === 'cancelled') {
      return { ...base, outcome: RunOutcome.CANCELLED, error: undefined, summary: base.summary || 'cancelled' };
    }
    if (this.#stopReason === 'timed_out') {
      return {
        ...base,
        outcome: RunOutcome.TIMED_OUT,
        error: create(ErrorInfoSchema, {
          category: ErrorCategory.TIMEOUT,
          retryable: true,
          title: 'Run timed out',
          message: `run ${plan.runId} timed out: ${this.#timeoutReason || 'the scheduler gave up on it'}; its agent was stopped`,
          remedy:
            'Cohort retries the run; if agents legitimately need longer, raise AGENT_RUNTIME_MAX_RUN_DURATION_MS and SCHEDULER_MAX_RUN_DURATION_MS.',
        }),
      };
    }
    if (this.#stopReason === 'shutdown') {
      return {
        ...base,
        outcome: RunOutcome.FAILED,
        error: create(ErrorInfoSchema, {
          category: ErrorCategory.RESOURCE,
          retryable: true,
          title: 'Agent runtime stopped',
          message: `the agent-runtime instance running ${plan.runId} shut down, so the agent was stopped; the run can be retried`,
          remedy: 'Retry the run; it starts again in a fresh workspace.',
        }),
      };
    }
    if (spawnError !== undefined) {
      return { ...base, outcome: RunOutcome.FAILED, error: classifyError(this.redact(spawnError)) };
    }
    let outcome = exitCode === 0 ? RunOutcome.SUCCEEDED : RunOutcome.FAILED;
    let error = outcome === RunOutcome.FAILED ? classifyError(this.redact(this.failureMessage(exit!))) : undefined;
    let pushed = { headSha: '', hasChanges: false };
    if (plan.taskKind === TaskKind.REPO && plan.runKind !== 'review') {
      const saved = await this.saveWork();
      if (saved.ok) pushed = saved.value;
      else {
        deps.logs.publish('system', saved.message);
        outcome = RunOutcome.FAILED;
        error ??= classifyError(this.redact(saved.message));
      }
    }
    return { ...base, ...pushed, outcome, error };
  }

  /** Commits what the agent left uncommitted and pushes the branch, so the work survives the worktree. */
  private async saveWork(): Promise<{ ok: true; value: { headSha: string; hasChanges: boolean } } | { ok: false; message: string }> {
    const { plan, deps } = this;
    try {
      if (await changesContainSecret(plan.workdir, plan.baseSha, deps.redactor)) {
        return {
          ok: false,
          message: `the run's changes contain the value of a secret from its env, so they were not committed or pushed to ${this.branch()}`,
        };
      }
      const result = await commitAndPush(plan.workdir, {
        message: `${plan.title}\n\nCohort task ${plan.taskId}, run ${plan.runId}.`,
        branch: this.branch(),
        author: deps.commitAuthor,
        ...(plan.baseSha ? { base: plan.baseSha } : {}),
      });
      if (!result.ok) return { ok: false, message: this.redact(result.error.message) };
      return { ok: true, value: { headSha: result.value.headSha, hasChanges: result.value.hasChanges } };
    } catch (error) {
      return { ok: false, message: this.redact(`saving the run's work failed: ${(error as Error).message}`) };
    }
  }

  private failureMessage(exit: ProcessExit): string {
    const how = exit.code !== null ? `exited with code ${exit.code}` : `was killed by ${exit.signal ?? 'a signal'}`;
    const tail = this.#errorTail.join('\n').trim();
    return `the agent "${this.plan.agent}" ${how}${tail ? `: ${tail}` : ''}`;
  }

  private redact(text: string): string {
    return this.deps.redactor.redact(text);
  }
}

function describeMs(ms: number): string {
  return ms % 60_000 === 0 ? `${ms / 60_000} min` : `${Number((ms / 1000).toFixed(1))} s`;
}

function exitCodeOf(exit: ProcessExit): number {
  if (exit.code !== null) return exit.code;
  const signal = exit.signal ? osConstants.signals[exit.signal] : undefined;
  return signal === undefined ? -1 : 128 + signal;
}

/**
 * RunFinished has no field for review comments, and pr-watcher records the summary as the
 * review's body: the comments go there as `path:line: body` lines, so a resume still sees them.
 */
export function reviewSummary(review: AgentReviewVerdict): string {
  const comments = review.comments.map((c) => `- ${c.path}${c.line > 0 ? `:${c.line}` : ''}: ${c.body}`);
  return [review.body.trim(), comments.join('\n')].filter((part) => part !== '').join('\n\n');
}

function reviewVerdictOf(review: AgentReviewVerdict | undefined): ReviewVerdict {
  if (review === undefined) return ReviewVerdict.UNSPECIFIED;
  return review.verdict === 'approve' ? ReviewVerdict.APPROVED : ReviewVerdict.CHANGES_REQUESTED;
}
