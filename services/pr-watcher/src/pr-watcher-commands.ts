import { Inject, Injectable, type OnApplicationBootstrap } from '@nestjs/common';
import { SubmitReviewSchema } from '@cohort/contracts';
import { CommandServer } from '@cohort/messaging';
import { PullRequestWatcher } from './pull-request-watcher.js';

/** The commands pr-watcher answers on `<ns>.cmd.pr-watcher.<Command>`. */
export const PR_WATCHER_COMMANDS = ['SubmitReview'] as const;

@Injectable()
export class PrWatcherCommands implements OnApplicationBootstrap {
  constructor(
    @Inject(CommandServer) private readonly server: CommandServer,
    @Inject(PullRequestWatcher) private readonly watcher: PullRequestWatcher,
  ) {}

  onApplicationBootstrap(): void {
    this.server.handle('SubmitReview', SubmitReviewSchema, (command) => this.watcher.submitReview(command)).listen();
  }
}
