import type { MessageSchema as DescMessage } from './proto-schema.js';
import { DecodeError, decodeEnvelope, decodeJson, Headers, type DecodeResult, type Envelope } from '@cohort/contracts';
import type { MsgHdrs } from '@nats-io/transport-node';

/** A message turned into what a handler receives, plus the trace fields it carries. */
export interface DecodedMessage {
  /** The handler pattern: the event type (`TaskCreated`) or the inbound message type (`TaskRequested`). */
  readonly pattern: string;
  readonly data: unknown;
  readonly messageId: string;
  readonly correlationId: string;
  readonly causationId: string;
  readonly traceparent: string;
}

export interface RawMessage {
  readonly subject: string;
  readonly data: Uint8Array;
  readonly headers?: MsgHdrs | undefined;
}

/** Turns a raw message into a decoded one, or a DecodeError that sends it straight to the dead letters. */
export type MessageDecoder = (message: RawMessage) => DecodeResult<DecodedMessage>;

/** Decodes `cohort.evt.*` messages: the handler gets the whole `Envelope`, its pattern is the event type. */
export const envelopeDecoder: MessageDecoder = (message) => {
  const decoded = decodeEnvelope(message.data);
  if (!decoded.ok) return decoded;
  const envelope: Envelope = decoded.value;
  return {
    ok: true,
    value: {
      pattern: envelope.type,
      data: envelope,
      messageId: envelope.id,
      correlationId: envelope.correlationId,
      causationId: envelope.causationId,
      traceparent: envelope.traceparent,
    },
  };
};

/**
 * Decodes `cohort.in.<source>.<kind>` messages with the schema registered for
 * `<source>.<kind>` (e.g. `{ 'task.requested': TaskRequestedSchema }`); the
 * handler gets the proto message, its pattern is the message name
 * (`TaskRequested`). Trace fields come from the NATS headers.
 */
export function inboundDecoder(schemas: Readonly<Record<string, DescMessage>>): MessageDecoder {
  return (message) => {
    const kind = message.subject.split('.').slice(-2).join('.');
    const schema = Object.hasOwn(schemas, kind) ? schemas[kind] : undefined;
    if (!schema) {
      const known = Object.keys(schemas).join(', ') || 'none';
      return {
        ok: false,
        error: new DecodeError('unknown_event_type', `unknown inbound message kind "${kind}"; known kinds: ${known}`, 'subject'),
      };
    }
    const decoded = decodeJson(schema, message.data);
    if (!decoded.ok) return decoded;
    const header = (name: string) => message.headers?.get(name) ?? '';
    return {
      ok: true,
      value: {
        pattern: schema.name,
        data: decoded.value,
        messageId: header(Headers.msgId),
        correlationId: header(Headers.correlationId),
        causationId: header(Headers.causationId),
        traceparent: header(Headers.traceparent),
      },
    };
  };
}
