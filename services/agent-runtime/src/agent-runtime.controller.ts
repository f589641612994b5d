import { Controller, Inject } from '@nestjs/common';
import { EventPattern, Payload } from '@nestjs/microservices';
import type { EnvelopeOf } from '@cohort/contracts';
import { RunSupervisor } from './run-supervisor.js';

/**
 * The events agent-runtime reacts to. WorkspaceReady is acked once the agent is
 * spawned (or the run is skipped), never after the agent ends: the handler must
 * return quickly, and a TaskCancelled of the same task is handled only after it.
 */
@Controller()
export class AgentRuntimeController {
  constructor(@Inject(RunSupervisor) private readonly supervisor: RunSupervisor) {}

  @EventPattern<string>('WorkspaceReady')
  onWorkspaceReady(@Payload() event: EnvelopeOf<'WorkspaceReady'>): Promise<void> {
    return this.supervisor.onWorkspaceReady(event);
  }

  @EventPattern<string>('RunTimedOut')
  onRunTimedOut(@Payload() event: EnvelopeOf<'RunTimedOut'>): Promise<void> {
    return this.supervisor.onRunTimedOut(event);
  }

  @EventPattern<string>('TaskCancelled')
  onTaskCancelled(@Payload() event: EnvelopeOf<'TaskCancelled'>): Promise<void> {
    return this.supervisor.onTaskCancelled(event);
  }
}
