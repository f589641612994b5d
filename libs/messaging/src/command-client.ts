import { randomUUID } from 'node:crypto';
import { Inject, Injectable, Optional } from '@nestjs/common';
import type { MessageSchema as DescMessage } from './proto-schema.js';
import {
  CommandErrorCode,
  create,
  type MessageInitShape,
  CommandReplySchema,
  Headers,
  decodeJson,
  encodeJson,
  type CommandAccepted,
  type Topology,
} from '@cohort/contracts';
import { headers as createHeaders, type NatsConnection } from '@nats-io/transport-node';
import { currentMessageContext } from './message-context.js';
import { childTraceparent, cryptoRandom, type RandomSource } from './trace-context.js';
import { COMMAND_CLIENT_OPTIONS, MESSAGING_TOPOLOGY, NATS_CONNECTION } from './tokens.js';

export interface CommandClientOptions {
  /** How long to wait for a reply. @default 5000 */
  readonly timeoutMs?: number;
  /** Source of span and trace ids. @default crypto.randomBytes */
  readonly random?: RandomSource;
}

export interface CommandErrorResult {
  readonly code: Exclude<CommandErrorCode, CommandErrorCode.UNSPECIFIED>;
  readonly message: string;
  /** The offending field for validation errors, otherwise empty. */
  readonly field: string;
  readonly correlationId: string;
}

export type CommandResult =
  { readonly ok: true; readonly value: CommandAccepted } | { readonly ok: false; readonly error: CommandErrorResult };

export interface SendOptions {
  /** @default the client's timeoutMs */
  readonly timeoutMs?: number;
  /** @default the current message's correlation id, else a new one */
  readonly correlationId?: string;
  /** Parent trace; a child span is sent. @default the current message's traceparent, else a new trace */
  readonly traceparent?: string;
}

/** Sends commands over NATS request/reply; every failure, including a service being down, is a result. */
@Injectable()
export class CommandClient {
  constructor(
    @Inject(NATS_CONNECTION) private readonly nc: NatsConnection,
    @Inject(MESSAGING_TOPOLOGY) private readonly topology: Topology,
    @Optional() @Inject(COMMAND_CLIENT_OPTIONS) private readonly options: CommandClientOptions = {},
  ) {}

  async send<S extends DescMessage>(
    service: string,
    command: string,
    schema: S,
    message: MessageInitShape<S>,
    options: SendOptions = {},
  ): Promise<CommandResult> {
    const current = currentMessageContext();
    const correlationId = options.correlationId || current?.correlationId || randomUUID();
    const hdrs = createHeaders();
    hdrs.set(Headers.correlationId, correlationId);
    hdrs.set(Headers.traceparent, childTraceparent(options.traceparent ?? current?.traceparent, this.options?.random ?? cryptoRandom));
    if (current?.messageId) hdrs.set(Headers.causationId, current.messageId);
    const timeout = options.timeoutMs ?? this.options?.timeoutMs ?? 5000;

    let replyBytes: Uint8Array;
    try {
      const reply = await this.nc.request(this.topology.command(service, command), encodeJson(schema, create(schema, message)), {
        timeout,
        headers: hdrs,
      });
      replyBytes = reply.data;
    } catch (_error) {
      // Timeout and no responders both mean nobody answered in time; callers retry or report it the same way.
      return failure(
        CommandErrorCode.UNAVAILABLE,
        `service ${service} unavailable: no reply to ${command} within ${timeout} ms`,
        correlationId,
      );
    }
    const decoded = decodeJson(CommandReplySchema, replyBytes);
    if (!decoded.ok)
      return failure(
        CommandErrorCode.INTERNAL,
        `service ${service} sent an unreadable reply to ${command}: ${decoded.error.message}`,
        correlationId,
      );
    const { result } = decoded.value;
    if (result.case === 'accepted') return { ok: true, value: result.value };
    if (result.case === 'error') {
      const code = result.value.code === CommandErrorCode.UNSPECIFIED ? CommandErrorCode.INTERNAL : result.value.code;
      return failure(code, result.value.message, result.value.correlationId || correlationId, result.value.field);
    }
    return failure(CommandErrorCode.INTERNAL, `service ${service} replied to ${command} with neither a result nor an error`, correlationId);
  }
}

function failure(code: CommandErrorResult['code'], message: string, correlationId: string, field = ''): CommandResult {
  return { ok: false, error: { code, message, field, correlationId } };
}
