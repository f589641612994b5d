import { randomUUID } from 'node:crypto';
import { Inject, Injectable, Logger, Optional, type OnApplicationShutdown } from '@nestjs/common';
import type { MessageSchema as DescMessage } from './proto-schema.js';
import {
  CommandErrorCode,
  create,
  type MessageInitShape,
  type MessageShape,
  CommandReplySchema,
  Headers,
  decodeJson,
  encodeJson,
  isSubjectToken,
  type CommandAcceptedSchema,
  type Topology,
} from '@cohort/contracts';
import type { Msg, NatsConnection, Subscription } from '@nats-io/transport-node';
import { CommandFailure } from './command-failure.js';
import { describeError } from './describe-error.js';
import { runWithMessageContext, type MessageContext } from './message-context.js';
import { COMMAND_SERVER_OPTIONS, MESSAGING_TOPOLOGY, NATS_CONNECTION } from './tokens.js';

export interface CommandServerOptions {
  /** The service whose commands this serves; also its queue group, so replicas share requests. */
  readonly service: string;
}

/** What a handler returns when the command was accepted. */
export type CommandAcceptedInit = MessageInitShape<typeof CommandAcceptedSchema>;

export type CommandHandler<S extends DescMessage> = (
  command: MessageShape<S>,
  context: MessageContext,
) => Promise<CommandAcceptedInit> | CommandAcceptedInit;

interface Registration {
  readonly schema: DescMessage;
  readonly handler: CommandHandler<DescMessage>;
}

/**
 * Serves `cohort.cmd.<service>.<Command>` requests: decodes each strictly,
 * runs its handler and replies with a CommandReply. Handlers throw
 * CommandFailure for errors the caller should see; anything else becomes an
 * INTERNAL error carrying a correlation id, with the details only logged.
 */
@Injectable()
export class CommandServer implements OnApplicationShutdown {
  private readonly log: Logger;
  private readonly handlers = new Map<string, Registration>();
  private subscription: Subscription | undefined;
  private readonly inFlight = new Set<Promise<void>>();

  constructor(
    @Inject(NATS_CONNECTION) private readonly nc: NatsConnection,
    @Inject(MESSAGING_TOPOLOGY) private readonly topology: Topology,
    @Optional() @Inject(COMMAND_SERVER_OPTIONS) private readonly options: CommandServerOptions,
  ) {
    if (!options?.service) throw new Error('CommandServer needs options.service (provide COMMAND_SERVER_OPTIONS)');
    this.log = new Logger(`CommandServer:${options.service}`);
  }

  /** Registers the handler of one command; call before `listen()`. */
  handle<S extends DescMessage>(command: string, schema: S, handler: CommandHandler<S>): this {
    if (!isSubjectToken(command)) throw new Error(`command name ${JSON.stringify(command)} cannot be a subject token`);
    if (this.handlers.has(command)) throw new Error(`command ${command} already has a handler`);
    this.handlers.set(command, { schema, handler: handler as CommandHandler<DescMessage> });
    return this;
  }

  listen(): void {
    if (this.subscription) return;
    const subject = this.topology.commandsOf(this.options.service);
    this.subscription = this.nc.subscribe(subject, {
      queue: this.options.service,
      callback: (error, msg) => {
        if (error) {
          this.log.error(`subscription failed: ${describeError(error)}`);
          return;
        }
        const done = this.serve(msg).finally(() => this.inFlight.delete(done));
        this.inFlight.add(done);
      },
    });
    this.log.log(`serving ${subject} (${[...this.handlers.keys()].join(', ') || 'no commands'})`);
  }

  /** Stops taking requests and waits for those in flight to be answered. */
  async close(): Promise<void> {
    const subscription = this.subscription;
    this.subscription = undefined;
    if (subscription && !subscription.isClosed()) await subscription.drain();
    await Promise.allSettled([...this.inFlight]);
  }

  async onApplicationShutdown(): Promise<void> {
    await this.close();
  }

  private async serve(msg: Msg): Promise<void> {
    const command = msg.subject.slice(msg.subject.lastIndexOf('.') + 1);
    const correlationId = msg.headers?.get(Headers.correlationId) || randomUUID();
    const reply = (result: MessageInitShape<typeof CommandReplySchema>['result']) => {
      if (msg.reply) msg.respond(encodeJson(CommandReplySchema, create(CommandReplySchema, { result })));
    };
    const fail = (code: CommandErrorCode, message: string, field = '') =>
      reply({ case: 'error', value: { code, message, field, correlationId } });

    const registration = this.handlers.get(command);
    if (!registration) {
      fail(
        CommandErrorCode.VALIDATION,
        `command "${command}" is not handled by ${this.options.service}; known: ${[...this.handlers.keys()].join(', ')}`,
      );
      return;
    }
    const decoded = decodeJson(registration.schema, msg.data);
    if (!decoded.ok) {
      fail(CommandErrorCode.VALIDATION, decoded.error.message, decoded.error.field ?? '');
      return;
    }
    const context: MessageContext = {
      subject: msg.subject,
      traceparent: msg.headers?.get(Headers.traceparent) ?? '',
      correlationId,
      causationId: msg.headers?.get(Headers.causationId) ?? '',
      messageId: msg.headers?.get(Headers.msgId) || correlationId,
      deliveryCount: 1,
    };
    try {
      const accepted = await runWithMessageContext(context, () => registration.handler(decoded.value, context));
      reply({ case: 'accepted', value: accepted });
    } catch (error) {
      if (error instanceof CommandFailure) {
        fail(error.code, error.message, error.field);
        return;
      }
      this.log.error(
        `${command} failed [correlation ${correlationId}]: ${describeError(error)}`,
        error instanceof Error ? error.stack : undefined,
      );
      fail(CommandErrorCode.INTERNAL, `${command} failed unexpectedly; quote correlation id ${correlationId} when reporting it`);
    }
  }
}
