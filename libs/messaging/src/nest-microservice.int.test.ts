import 'reflect-metadata';
import { afterEach, describe, expect, it } from 'vitest';
import { Controller, Inject, Injectable, Module, type OnApplicationBootstrap } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { Ctx, EventPattern, Payload, type MicroserviceOptions } from '@nestjs/microservices';
import { CancelTaskSchema, CommandErrorCode, Headers, type Envelope, type Topology } from '@cohort/contracts';
import { waitFor } from '@cohort/testing';
import type { NatsConnection } from '@nats-io/transport-node';
import { CommandClient } from './command-client.js';
import { CommandFailure } from './command-failure.js';
import { CommandServer } from './command-server.js';
import type { JetStreamContext } from './jetstream-context.js';
import { JetStreamTransport } from './jetstream-transport.js';
import { currentMessageContext } from './message-context.js';
import { RethrowRpcErrorsFilter } from './rethrow-rpc-errors.filter.js';
import { COMMAND_SERVER_OPTIONS, MESSAGING_TOPOLOGY, NATS_CONNECTION } from './tokens.js';
import { deadLetters, messagingTestContext, publishEvent, taskCancelled, taskCreated } from './messaging-test-fixtures.js';

const SEEN = Symbol('SEEN');
interface Seen {
  readonly events: Array<{ type: string; aggregateId: string; deliveryCount: number; correlationId: string | undefined }>;
}

@Controller()
class TasksController {
  constructor(@Inject(SEEN) private readonly seen: Seen) {}

  @EventPattern<string>('TaskCreated')
  onTaskCreated(@Payload() event: Envelope, @Ctx() context: JetStreamContext): void {
    this.seen.events.push({
      type: event.type,
      aggregateId: event.aggregateId,
      deliveryCount: context.getDeliveryCount(),
      correlationId: currentMessageContext()?.correlationId,
    });
  }

  @EventPattern<string>('TaskCancelled')
  async onTaskCancelled(): Promise<void> {
    throw new Error('cancellation is not wired yet');
  }
}

@Injectable()
class CancelCommands implements OnApplicationBootstrap {
  constructor(@Inject(CommandServer) private readonly server: CommandServer) {}

  onApplicationBootstrap(): void {
    this.server
      .handle('CancelTask', CancelTaskSchema, (command) => {
        if (command.taskId === 'missing') throw CommandFailure.notFound('task "missing" does not exist');
        return { aggregateId: command.taskId, eventIds: ['e-1'] };
      })
      .listen();
  }
}

function appModule(nc: NatsConnection, topology: Topology, seen: Seen) {
  @Module({
    controllers: [TasksController],
    providers: [
      { provide: SEEN, useValue: seen },
      { provide: NATS_CONNECTION, useValue: nc },
      { provide: MESSAGING_TOPOLOGY, useValue: topology },
      { provide: COMMAND_SERVER_OPTIONS, useValue: { service: 'scheduler' } },
      CommandServer,
      CommandClient,
      CancelCommands,
    ],
  })
  class AppModule {}
  return AppModule;
}

const cleanups: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

describe('a Nest microservice on the JetStream transport', () => {
  it('routes events to @EventPattern handlers, dead-letters a failing one with its error, and serves commands', async () => {
    const ctx = await messagingTestContext('nest');
    cleanups.push(() => ctx.dispose());
    const seen: Seen = { events: [] };
    const app = await NestFactory.createMicroservice<MicroserviceOptions>(appModule(ctx.nc, ctx.topology, seen), {
      strategy: new JetStreamTransport({
        connection: { servers: ctx.url },
        topology: ctx.topology,
        service: 'scheduler',
        maxDeliveries: 2,
        backoff: { initialDelayMs: 20 },
      }),
      logger: ['error'],
    });
    app.useGlobalFilters(new RethrowRpcErrorsFilter());
    await app.listen();
    cleanups.push(() => app.close());

    const created = taskCreated('t-nest');
    await publishEvent(ctx, created);
    await publishEvent(ctx, taskCancelled('t-nest'));

    await waitFor('TaskCreated at its controller', () => (seen.events.length === 1 ? true : undefined));
    expect(seen.events).toEqual([{ type: 'TaskCreated', aggregateId: 't-nest', deliveryCount: 1, correlationId: created.correlationId }]);

    const [letter] = await waitFor('the failing TaskCancelled in the dead letters', async () => {
      const letters = await deadLetters(ctx.jsm, ctx.topology, 'scheduler');
      return letters.length > 0 ? letters : undefined;
    });
    expect(letter!.header.get(Headers.deadLetterReason)).toBe('max_deliveries_exceeded');
    expect(letter!.header.get(Headers.deadLetterError)).toContain('cancellation is not wired yet');
    expect(letter!.header.get(Headers.deadLetterDeliveries)).toBe('2');

    const client = app.get(CommandClient);
    const accepted = await client.send('scheduler', 'CancelTask', CancelTaskSchema, { taskId: 't-nest' });
    expect(accepted.ok && accepted.value.aggregateId).toBe('t-nest');
    const missing = await client.send('scheduler', 'CancelTask', CancelTaskSchema, { taskId: 'missing' });
    expect(missing).toMatchObject({ ok: false, error: { code: CommandErrorCode.NOT_FOUND } });
  });
});
