import { Inject, Module, type DynamicModule, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { SchedulerEventsController } from './scheduler-events.controller.js';
import type { Scheduler } from './scheduler.js';
import { SCHEDULER } from './tokens.js';

class SchedulerLifecycle implements OnApplicationBootstrap, OnApplicationShutdown {
  constructor(@Inject(SCHEDULER) private readonly scheduler: Scheduler) {}

  onApplicationBootstrap(): void {
    this.scheduler.start();
  }

  async onApplicationShutdown(): Promise<void> {
    await this.scheduler.stop();
  }
}

/** The scheduler's Nest wiring: the event controller and the resync's lifecycle around one Scheduler. */
@Module({})
export class SchedulerModule {
  static forRoot(scheduler: Scheduler): DynamicModule {
    return {
      module: SchedulerModule,
      controllers: [SchedulerEventsController],
      providers: [{ provide: SCHEDULER, useValue: scheduler }, SchedulerLifecycle],
    };
  }
}
