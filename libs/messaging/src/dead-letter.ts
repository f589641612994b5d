import { Headers } from '@cohort/contracts';
import type { JetStreamClient, JsMsg } from '@nats-io/jetstream';
import { headers as createHeaders } from '@nats-io/transport-node';

/** Why a message was dead-lettered: a decode error code, or that it kept failing. */
export type DeadLetterReason = 'max_deliveries_exceeded' | `decode_${string}`;

export interface DeadLetter {
  readonly reason: DeadLetterReason;
  /** Safe to store: names the problem and the field, never the message body. */
  readonly error: string;
}

/**
 * Publishes a copy of `msg` to the service's dead-letter subject with why and
 * where it came from. The original headers are kept under a prefix so they
 * cannot be mistaken for the dead letter's own (a copied `Nats-Msg-Id` would
 * otherwise make JetStream drop it as a duplicate).
 */
export async function publishDeadLetter(js: JetStreamClient, subject: string, msg: JsMsg, letter: DeadLetter): Promise<void> {
  const hdrs = createHeaders();
  if (msg.headers) {
    for (const [name, values] of msg.headers) {
      for (const value of values) hdrs.append(`${Headers.deadLetterOriginalHeaderPrefix}${name}`, value);
    }
  }
  hdrs.set(Headers.deadLetterReason, letter.reason);
  hdrs.set(Headers.deadLetterError, singleLine(letter.error));
  hdrs.set(Headers.deadLetterSubject, msg.subject);
  hdrs.set(Headers.deadLetterStream, msg.info.stream);
  hdrs.set(Headers.deadLetterSequence, String(msg.info.streamSequence));
  hdrs.set(Headers.deadLetterDeliveries, String(msg.info.deliveryCount));
  // Dedupes a second dead letter for the same message when we crash between publish and term.
  await js.publish(subject, msg.data, { headers: hdrs, msgID: `dlq:${msg.info.stream}:${msg.info.streamSequence}` });
}

/** Header values cannot hold line breaks; error messages (stack-less) may. */
function singleLine(text: string): string {
  const flat = text.replace(/[\r\n]+/g, ' ');
  return flat.length > 1024 ? `${flat.slice(0, 1021)}...` : flat;
}
