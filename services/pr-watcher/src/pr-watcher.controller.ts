import { Controller, Inject } from '@nestjs/common';
import { EventPattern, Payload } from '@nestjs/microservices';
import type { EnvelopeOf } from '@cohort/contracts';
import { PullRequestWatcher } from './pull-request-watcher.js';

/**
 * The task events pr-watcher reacts to. A handler runs CI before it returns, so
 * later events of the same task (a MergeRequested) wait for the checks of the
 * head they refer to.
 */
@Controller()
export class PrWatcherController {
  constructor(@Inject(PullRequestWatcher) private readonly watcher: PullRequestWatcher) {}

  @EventPattern<string>('PullRequestRequested')
  onPullRequestRequested(@Payload() event: EnvelopeOf<'PullRequestRequested'>): Promise<void> {
    return this.watcher.onPullRequestRequested(event);
  }

  @EventPattern<string>('RunFinished')
  onRunFinished(@Payload() event: EnvelopeOf<'RunFinished'>): Promise<void> {
    return this.watcher.onRunFinished(event);
  }

  @EventPattern<string>('TaskCancelled')
  onTaskCancelled(@Payload() event: EnvelopeOf<'TaskCancelled'>): Promise<void> {
    return this.watcher.onTaskCancelled(event);
  }

  @EventPattern<string>('MergeRequested')
  onMergeRequested(@Payload() event: EnvelopeOf<'MergeRequested'>): Promise<void> {
    return this.watcher.onMergeRequested(event);
  }
}
