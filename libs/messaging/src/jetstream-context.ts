import { BaseRpcContext } from '@nestjs/microservices';
import type { JsMsg } from '@nats-io/jetstream';
import type { MessageContext } from './message-context.js';

/** The Nest `@Ctx()` of a JetStream event handler. */
export class JetStreamContext extends BaseRpcContext<[MessageContext, JsMsg]> {
  getMessageContext(): MessageContext {
    return this.args[0];
  }

  /** The raw message, for headers; ack, nak and term belong to the transport. */
  getMessage(): JsMsg {
    return this.args[1];
  }

  getSubject(): string {
    return this.args[0].subject;
  }

  getDeliveryCount(): number {
    return this.args[0].deliveryCount;
  }
}
