import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { jetstreamManager, type StoredMsg } from '@nats-io/jetstream';
import { type Envelope, type NewEvent } from '@cohort/contracts';
import { JetStreamEventStore } from '@cohort/eventstore';
import { CommandClient } from '@cohort/messaging';
import { natsTestContext, type NatsTestContext } from '@cohort/testing';
import type { IntakeConfig } from '../src/config.js';
import { startIntake, type RunningService } from '../src/start-intake.js';

export interface IntakeTestContext {
  readonly ctx: NatsTestContext;
  readonly service: RunningService;
  readonly client: CommandClient;
  readonly store: JetStreamEventStore;
  /** A directory standing for a local repository. */
  readonly repoDir: string;
  readonly config: IntakeConfig;
  dispose(): Promise<void>;
}

const quiet = { log: () => undefined, warn: () => undefined, error: () => undefined };

export async function startIntakeForTest(label: string, overrides: Partial<IntakeConfig> = {}): Promise<IntakeTestContext> {
  const ctx = await natsTestContext({ label });
  const config: IntakeConfig = {
    natsUrl: ctx.url,
    namespace: ctx.topology.namespace,
    healthPort: undefined,
    defaultAgent: 'scripted',
    maxRetries: 3,
    maxAutoResumes: 10,
    inboxMaxDeliveries: 2,
    retryDelayMs: 50,
    ...overrides,
  };
  const service = await startIntake(config, { logger: quiet });
  const repoDir = mkdtempSync(join(tmpdir(), 'intake-repo-'));
  return {
    ctx,
    service,
    config,
    repoDir,
    client: new CommandClient(ctx.nc, ctx.topology),
    store: await JetStreamEventStore.create({ nc: ctx.nc, topology: ctx.topology }),
    dispose: async () => {
      await service.close();
      await ctx.dispose();
      rmSync(repoDir, { recursive: true, force: true });
    },
  };
}

export async function taskHistory(t: IntakeTestContext, taskId: string): Promise<readonly Envelope[]> {
  return (await t.store.read({ type: 'task', id: taskId })).events;
}

/** Appends events to a task as the other services would. */
export async function appendToTask(t: IntakeTestContext, taskId: string, events: readonly NewEvent[]): Promise<void> {
  await t.store.append({ type: 'task', id: taskId }, events, { expectedVersion: 'any' });
}

/** Every dead letter of intake, oldest first. */
export async function deadLetters(t: IntakeTestContext): Promise<StoredMsg[]> {
  const jsm = await jetstreamManager(t.ctx.nc);
  const info = await jsm.streams.info(t.ctx.topology.streams.dlq);
  const letters: StoredMsg[] = [];
  for (let seq = info.state.first_seq; info.state.messages > 0 && seq <= info.state.last_seq; seq++) {
    const msg = await jsm.streams.getMessage(t.ctx.topology.streams.dlq, { seq }).catch(() => null);
    if (msg && msg.subject === t.ctx.topology.dlq('intake')) letters.push(msg);
  }
  return letters;
}

/** Resolves once intake's durable consumer on the stream has handled (acked or dead-lettered) everything. */
export async function consumerIdle(t: IntakeTestContext, stream: string): Promise<void> {
  const jsm = await jetstreamManager(t.ctx.nc);
  const deadline = Date.now() + 10_000;
  for (;;) {
    const info = await jsm.consumers.info(stream, 'intake');
    if (info.num_pending === 0 && info.num_ack_pending === 0) return;
    if (Date.now() > deadline)
      throw new Error(`intake's consumer on ${stream} still has ${info.num_pending} pending, ${info.num_ack_pending} unacked`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}
