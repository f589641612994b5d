import { Inject, Injectable, Logger } from '@nestjs/common';
import type { KV } from '@nats-io/kv';
import type { NatsConnection } from '@nats-io/transport-node';
import { agentAdapter, type AgentAdapter } from '@cohort/agents';
import {
  create,
  ErrorCategory,
  ErrorInfoSchema,
  RunFinishedSchema,
  RunOutcome,
  RunStartedSchema,
  type EnvelopeOf,
  type ErrorInfo,
  type Topology,
} from '@cohort/contracts';
import { eventIdFor, type EventStore, JetStreamPublisher, WrongExpectedVersion } from '@cohort/eventstore';
import { CommandClient, currentMessageContext, MESSAGING_TOPOLOGY, NATS_CONNECTION } from '@cohort/messaging';
import { Redactor } from '@cohort/platform';
import { AgentRun } from './agent-run.js';
import type { AgentRuntimeConfig } from './config.js';
import { HeartbeatWriter } from './heartbeats.js';
import { LogPublisher } from './log-publisher.js';
import { resolveRunEnv } from './run-env.js';
import { planRun, type RunPlan } from './run-plan.js';
import type { ProcessLedger } from './process-ledger.js';
import { AGENT_RUNTIME_CONFIG, EVENT_STORE, HEARTBEATS_KV, PROCESS_LEDGER, SECRET_REDACTOR } from './tokens.js';

/** Re-reads and re-decides this often when another writer appended to the task in between. */
const START_ATTEMPTS = 5;

/**
 * WorkspaceReady messages held while every agent slot is taken. Beyond this they are
 * nak'ed (redelivered later, maybe to another replica), so waiting handlers never
 * fill the transport's handler slots and a TaskCancelled always gets one.
 */
export const MAX_WAITING_RUNS = 16;

/**
 * The agents running in this instance: starts a run when its workspace is
 * ready, stops a task's runs when it is cancelled, and stops everything on
 * shutdown. A free slot is waited for before the task is read, so the
 * decision to start is made on the newest history.
 */
@Injectable()
export class RunSupervisor {
  private readonly log = new Logger('RunSupervisor');
  private readonly logPublisher: JetStreamPublisher;
  private readonly runs = new Map<string, AgentRun>();
  /** Runs between "picked up" and "spawned", so a cancel in that window is not lost. */
  private readonly starting = new Map<string, { taskId: string; cancelled: boolean }>();
  private readonly waiters: Array<() => void> = [];
  private accepting = true;

  constructor(
    @Inject(AGENT_RUNTIME_CONFIG) private readonly config: AgentRuntimeConfig,
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(HEARTBEATS_KV) private readonly kv: KV,
    @Inject(NATS_CONNECTION) nc: NatsConnection,
    @Inject(MESSAGING_TOPOLOGY) private readonly topology: Topology,
    @Inject(CommandClient) private readonly commands: CommandClient,
    @Inject(SECRET_REDACTOR) private readonly serviceRedactor: Redactor,
    @Inject(PROCESS_LEDGER) private readonly ledger: ProcessLedger,
  ) {
    this.logPublisher = JetStreamPublisher.of(nc);
  }

  /** Runs whose agent is alive in this instance. */
  get activeRuns(): readonly string[] {
    return [...this.runs.keys()];
  }

  /** Settles when the run (if it is running here) has appended RunFinished. */
  async whenFinished(runId: string): Promise<void> {
    await this.runs.get(runId)?.finished;
  }

  async onWorkspaceReady(event: EnvelopeOf<'WorkspaceReady'>): Promise<void> {
    const ready = event.data;
    if (!this.accepting) throw new Error('agent-runtime is shutting down; another instance takes the run');
    if (this.runs.has(ready.runId) || this.starting.has(ready.runId)) return;
    this.starting.set(ready.runId, { taskId: event.aggregateId, cancelled: false });
    try {
      await this.acquireSlot();
      let started = false;
      try {
        started = await this.start(event);
      } finally {
        if (!started) this.releaseSlot();
      }
    } finally {
      this.starting.delete(ready.runId);
    }
  }

  async onTaskCancelled(event: EnvelopeOf<'TaskCancelled'>): Promise<void> {
    const taskId = event.aggregateId;
    for (const pending of this.starting.values()) if (pending.taskId === taskId) pending.cancelled = true;
    const stopping = [...this.runs.values()].filter((run) => run.plan.taskId === taskId);
    await Promise.all(stopping.map((run) => run.stop('cancelled')));
    await Promise.all(stopping.map((run) => run.finished.catch(() => undefined)));
  }

  /**
   * The scheduler gave up on a run (no heartbeat, or past its maximum duration): an agent
   * still alive here must not go on working on a branch its retry is about to use.
   */
  async onRunTimedOut(event: EnvelopeOf<'RunTimedOut'>): Promise<void> {
    const { runId, reason } = event.data;
    const pending = this.starting.get(runId);
    if (pending) pending.cancelled = true;
    const run = this.runs.get(runId);
    if (run === undefined) return;
    this.log.warn(`run ${runId} was timed out by the scheduler (${reason || 'no reason given'}); stopping its agent`);
    await run.stop('timed_out', reason ? `the scheduler timed it out (${reason})` : '');
    await run.finished.catch(() => undefined);
  }

  /** New WorkspaceReady messages are refused (nak'ed, so another instance takes them). */
  stopAccepting(): void {
    this.accepting = false;
    for (const wake of this.waiters.splice(0)) wake();
  }

  /** Stops taking runs, kills every running agent and finishes each run as failed (retryable). */
  async shutdown(): Promise<void> {
    this.stopAccepting();
    const running = [...this.runs.values()];
    await Promise.all(running.map((run) => run.stop('shutdown')));
    await Promise.all(running.map((run) => run.finished.catch(() => undefined)));
  }

  private async start(event: EnvelopeOf<'WorkspaceReady'>): Promise<boolean> {
    const ready = event.data;
    const task = { type: 'task' as const, id: event.aggregateId };
    for (let attempt = 1; ; attempt++) {
      if (!this.accepting) throw new Error('agent-runtime is shutting down; another instance takes the run');
      const history = await this.store.read(task);
      const decision = planRun(history.events, ready);
      if (!decision.start || this.starting.get(ready.runId)?.cancelled) {
        this.log.log(`not starting run ${ready.runId}: ${decision.start ? 'the task was cancelled' : decision.reason}`);
        return false;
      }
      const { plan } = decision;
      const meta = this.causedBy();
      try {
        await this.store.append(
          task,
          [
            {
              id: eventIdFor(`${plan.runId}:RunStarted`),
              type: 'RunStarted',
              data: create(RunStartedSchema, { runId: plan.runId, workspaceId: plan.workspaceId, prompt: plan.prompt }),
              ...meta,
            },
          ],
          { expectedVersion: decision.version },
        );
      } catch (error) {
        if (error instanceof WrongExpectedVersion && attempt < START_ATTEMPTS) continue;
        throw error;
      }
      await this.launch(plan);
      return true;
    }
  }

  /** After RunStarted: from here on every way out ends in RunFinished. */
  private async launch(plan: RunPlan): Promise<void> {
    const redactor = new Redactor();
    const logs = new LogPublisher(this.logPublisher, this.topology, plan.taskId, plan.runId, redactor, (m) => this.log.warn(m));
    const fail = (error: ErrorInfo) => this.finishWithoutAgent(plan, error);

    let adapter: AgentAdapter;
    try {
      adapter = agentAdapter(plan.agent, {
        scripted: {
          executable: this.config.scriptedAgent,
          ...(this.config.scriptedPlaybook ? { playbook: this.config.scriptedPlaybook } : {}),
        },
      });
    } catch (error) {
      return fail(errorInfo(ErrorCategory.AGENT, false, 'Unknown agent', (error as Error).message));
    }

    const env = await resolveRunEnv(
      { taskId: plan.taskId, runId: plan.runId, repoId: plan.repoId },
      {
        client: this.commands,
        timeoutMs: this.config.connectionsTimeoutMs,
        requireConnections: this.config.requireConnections,
        override: this.config.resolveRunEnv,
      },
    );
    if (!env.ok) return fail(errorInfo(ErrorCategory.NETWORK, env.retryable, 'Run env unavailable', env.message));
    const secrets = Object.values(env.env);
    redactor.add(...secrets);
    this.serviceRedactor.add(...secrets);
    if (env.warning) {
      this.log.warn(env.warning);
      logs.publish('system', env.warning);
    }

    const command = adapter.buildCommand({
      prompt: plan.prompt,
      workdir: plan.workdir,
      model: plan.model,
      runKind: plan.runKind,
      ...(plan.resumeReason ? { resumeReason: plan.resumeReason } : {}),
      attempt: plan.attempt,
      env: env.env,
    });
    const heartbeat = new HeartbeatWriter(this.kv, plan.taskId, plan.runId, this.config.heartbeatMs, (m) => this.log.warn(m));
    const run = new AgentRun(plan, command, {
      store: this.store,
      adapter,
      logs,
      heartbeat,
      ledger: this.ledger,
      redactor,
      baseEnv: this.config.baseEnv,
      killGraceMs: this.config.killGraceMs,
      maxRunDurationMs: this.config.maxRunDurationMs,
      usageReportMs: this.config.usageReportMs,
      commitAuthor: this.config.commitAuthor,
      warn: (m) => this.log.warn(m),
      eventMeta: this.causedBy(),
    });
    this.runs.set(plan.runId, run);
    if (this.starting.get(plan.runId)?.cancelled) void run.stop('cancelled');
    void run.finished
      .then(
        (result) => this.log.log(`run ${plan.runId} finished: ${RunOutcome[result.outcome].toLowerCase()} (exit ${result.exitCode})`),
        (error: unknown) => this.log.error(`run ${plan.runId} could not be finished: ${(error as Error).message}`),
      )
      .finally(() => {
        this.runs.delete(plan.runId);
        this.releaseSlot();
      });
  }

  private async finishWithoutAgent(plan: RunPlan, error: ErrorInfo): Promise<void> {
    this.log.warn(`run ${plan.runId} failed before its agent started: ${error.message}`);
    await this.store.append(
      { type: 'task', id: plan.taskId },
      [
        {
          id: eventIdFor(`${plan.runId}:RunFinished`),
          type: 'RunFinished',
          data: create(RunFinishedSchema, { runId: plan.runId, outcome: RunOutcome.FAILED, exitCode: -1, error }),
          ...this.causedBy(),
        },
      ],
      { expectedVersion: 'any' },
    );
    this.releaseSlot();
  }

  private causedBy(): { correlationId?: string; causationId?: string; traceparent?: string } {
    const context = currentMessageContext();
    if (!context) return {};
    return { correlationId: context.correlationId, causationId: context.messageId, traceparent: context.traceparent };
  }

  private active = 0;

  private async acquireSlot(): Promise<void> {
    if (this.active >= this.config.maxConcurrentAgents && this.waiters.length >= MAX_WAITING_RUNS) {
      throw new Error(
        `all ${this.config.maxConcurrentAgents} agent slots are taken and ${MAX_WAITING_RUNS} runs wait already; retried later`,
      );
    }
    while (this.active >= this.config.maxConcurrentAgents) {
      await new Promise<void>((resolve) => this.waiters.push(resolve));
      if (!this.accepting) throw new Error('agent-runtime is shutting down; another instance takes the run');
    }
    this.active++;
  }

  private releaseSlot(): void {
    this.active = Math.max(0, this.active - 1);
    this.waiters.shift()?.();
  }
}

function errorInfo(category: ErrorCategory, retryable: boolean, title: string, message: string): ErrorInfo {
  return create(ErrorInfoSchema, { category, retryable, title, message });
}
