import type { DescMessage, MessageShape } from '@bufbuild/protobuf';
import type { AggregateType } from './topology.js';
import * as repo from './gen/cohort/v1/repo_events_pb.js';
import * as task from './gen/cohort/v1/task_events_pb.js';

/** Every event type of the task aggregate and the message that carries it. */
export const taskEventSchemas = {
  TaskCreated: task.TaskCreatedSchema,
  TaskPriorityChanged: task.TaskPriorityChangedSchema,
  TaskDependenciesMet: task.TaskDependenciesMetSchema,
  TaskCancelled: task.TaskCancelledSchema,
  TaskRetryRequested: task.TaskRetryRequestedSchema,
  TaskResumeRequested: task.TaskResumeRequestedSchema,
  MergeApproved: task.MergeApprovedSchema,
  RunScheduled: task.RunScheduledSchema,
  WorkspaceReady: task.WorkspaceReadySchema,
  WorkspaceFailed: task.WorkspaceFailedSchema,
  WorkspaceReleased: task.WorkspaceReleasedSchema,
  RunStarted: task.RunStartedSchema,
  RunUsageReported: task.RunUsageReportedSchema,
  RunFinished: task.RunFinishedSchema,
  RunTimedOut: task.RunTimedOutSchema,
  PullRequestRequested: task.PullRequestRequestedSchema,
  PullRequestOpened: task.PullRequestOpenedSchema,
  PullRequestUpdated: task.PullRequestUpdatedSchema,
  ChecksReported: task.ChecksReportedSchema,
  ReviewSubmitted: task.ReviewSubmittedSchema,
  ConflictDetected: task.ConflictDetectedSchema,
  MergeRequested: task.MergeRequestedSchema,
  MergeFailed: task.MergeFailedSchema,
  PullRequestMerged: task.PullRequestMergedSchema,
  PullRequestClosed: task.PullRequestClosedSchema,
  TaskNeedsAttention: task.TaskNeedsAttentionSchema,
  TaskFailed: task.TaskFailedSchema,
  TaskCompleted: task.TaskCompletedSchema,
  TicketClosed: task.TicketClosedSchema,
} as const;

export const repoEventSchemas = {
  RepoRegistered: repo.RepoRegisteredSchema,
  RepoUpdated: repo.RepoUpdatedSchema,
} as const;

export const secretEventSchemas = {
  SecretSet: repo.SecretSetSchema,
  SecretDeleted: repo.SecretDeletedSchema,
} as const;

export const eventSchemasByAggregate = {
  task: taskEventSchemas,
  repo: repoEventSchemas,
  secret: secretEventSchemas,
} as const satisfies Record<AggregateType, Record<string, DescMessage>>;

export const eventSchemas = { ...taskEventSchemas, ...repoEventSchemas, ...secretEventSchemas } as const;

type Schemas = typeof eventSchemas;
export type EventType = keyof Schemas;
export type TaskEventType = keyof typeof taskEventSchemas;
export type RepoEventType = keyof typeof repoEventSchemas;
export type SecretEventType = keyof typeof secretEventSchemas;

export type EventData<T extends EventType> = MessageShape<Schemas[T]>;

/** An event as a discriminated union on `type`: `{ type: 'TaskCreated', data: TaskCreated }`. */
export type EventOf<T extends EventType> = { [K in T]: { readonly type: K; readonly data: EventData<K> } }[T];

export type TaskEvent = EventOf<TaskEventType>;
export type RepoEvent = EventOf<RepoEventType>;
export type SecretEvent = EventOf<SecretEventType>;
export type CohortEvent = EventOf<EventType>;

const aggregateOfType = new Map<string, AggregateType>(
  Object.entries(eventSchemasByAggregate).flatMap(([aggregate, schemas]) =>
    Object.keys(schemas).map((type) => [type, aggregate as AggregateType] as const),
  ),
);

export function isEventType(type: string): type is EventType {
  return aggregateOfType.has(type);
}

/** The aggregate an event type belongs to, or undefined for an unknown type. */
export function aggregateTypeOf(type: string): AggregateType | undefined {
  return aggregateOfType.get(type);
}

export function isAggregateType(value: string): value is AggregateType {
  return value in eventSchemasByAggregate;
}
