import { Controller, Inject } from '@nestjs/common';
import { EventPattern, Payload } from '@nestjs/microservices';
import type { EnvelopeOf } from '@cohort/contracts';
import { TicketCloser } from './ticket-closer.js';

/** Task events intake reacts to, from its durable consumer on the task events. */
@Controller()
export class TaskEventsController {
  constructor(@Inject(TicketCloser) private readonly tickets: TicketCloser) {}

  @EventPattern<string>('TaskCompleted')
  async onTaskCompleted(@Payload() event: EnvelopeOf<'TaskCompleted'>): Promise<void> {
    await this.tickets.onTaskCompleted(event.aggregateId);
  }
}
