import { Controller, Inject } from '@nestjs/common';
import { EventPattern, Payload } from '@nestjs/microservices';
import type { Envelope } from '@cohort/contracts';
import { ANY_EVENT } from '@cohort/messaging';
import type { Scheduler } from './scheduler.js';
import { SCHEDULER } from './tokens.js';

/**
 * Every event reconciles its task: the reconciler is level-triggered, so which
 * event arrived does not matter, only that something changed.
 */
@Controller()
export class SchedulerEventsController {
  constructor(@Inject(SCHEDULER) private readonly scheduler: Scheduler) {}

  @EventPattern<string>(ANY_EVENT)
  async onEvent(@Payload() event: Envelope): Promise<void> {
    await this.scheduler.onEvent(event);
  }
}
