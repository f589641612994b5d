import { Controller, Inject } from '@nestjs/common';
import { EventPattern, Payload } from '@nestjs/microservices';
import { TaskSourceKind, create, TaskSourceSchema, type TaskRequested } from '@cohort/contracts';
import { deterministicId } from '../event-metadata.js';
import { TaskCommands } from '../tasks/task-commands.js';

/** The task id a request gets: the same request always names the same task, so a re-sent one creates nothing new. */
export function taskIdForRequest(requestId: string): string {
  return `req-${deterministicId('TaskRequested', requestId).replaceAll('-', '').slice(0, 24)}`;
}

/**
 * `cohort.in.task.requested`: other systems asking for a task. A message that
 * cannot become a task fails here, is redelivered (its repo may be registered
 * meanwhile) and lands in the dead letters with the reason.
 */
@Controller()
export class TaskRequestedController {
  constructor(@Inject(TaskCommands) private readonly tasks: TaskCommands) {}

  @EventPattern<string>('TaskRequested')
  async onTaskRequested(@Payload() request: TaskRequested): Promise<void> {
    const task = request.task!;
    const taskId = task.taskId || taskIdForRequest(request.requestId);
    await this.tasks.createTask(
      {
        ...task,
        taskId,
        source: task.source ?? create(TaskSourceSchema, { kind: TaskSourceKind.EVENT, externalId: request.requestId }),
      },
      { eventId: (event, index) => deterministicId(request.requestId, event.type, String(index)) },
    );
  }
}
