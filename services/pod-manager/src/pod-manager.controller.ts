import { Controller, Inject } from '@nestjs/common';
import { EventPattern, Payload } from '@nestjs/microservices';
import type { EnvelopeOf } from '@cohort/contracts';
import { WorkspaceManager } from './workspace-manager.js';

/** The task events pod-manager reacts to; every handler re-reads the task, so redeliveries do nothing new. */
@Controller()
export class PodManagerController {
  constructor(@Inject(WorkspaceManager) private readonly workspaces: WorkspaceManager) {}

  @EventPattern<string>('RunScheduled')
  onRunScheduled(@Payload() event: EnvelopeOf<'RunScheduled'>): Promise<void> {
    return this.workspaces.onRunScheduled(event.aggregateId, event.data.runId);
  }

  @EventPattern<string>('RunFinished')
  onRunFinished(@Payload() event: EnvelopeOf<'RunFinished'>): Promise<void> {
    return this.workspaces.onRunEnded(event.aggregateId, event.data.runId);
  }

  /** The agent stopped sending heartbeats: its process is gone, so is the need for its workspace. */
  @EventPattern<string>('RunTimedOut')
  onRunTimedOut(@Payload() event: EnvelopeOf<'RunTimedOut'>): Promise<void> {
    return this.workspaces.onRunEnded(event.aggregateId, event.data.runId);
  }
}
